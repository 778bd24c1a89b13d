import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, sqliteDialect } from './database.js';
import { prepareQuery } from './prepared-query.js';

interface Tables {
  people: { id: string; name: string; age: number; kind: string };
}

describe('prepareQuery', () => {
  let db: Kysely<Tables>;
  afterEach(() => db.destroy());

  async function open(): Promise<Kysely<Tables>> {
    db = new Kysely<Tables>({ dialect: sqliteDialect(openSqlite('sqlite::memory:')) });
    await sql`create table people (id text primary key, name text, age integer, kind text)`.execute(
      db,
    );
    await db
      .insertInto('people')
      .values([
        { id: 'a', name: 'Ana', age: 30, kind: 'person' },
        { id: 'b', name: 'Ben', age: 40, kind: 'person' },
        { id: 'c', name: 'Cat', age: 50, kind: 'robot' },
      ])
      .execute();
    return db;
  }

  it('runs the query compiled once with each call’s arguments, constants kept', async () => {
    const people = await open();
    const olderThan = prepareQuery(people, (age: number, id: string) =>
      people
        .selectFrom('people')
        .select(['id', 'name'])
        .where('age', '>', age)
        .where('id', '!=', id)
        .where('kind', '=', 'person')
        .orderBy('id'),
    );
    expect(await olderThan(20, 'a')).toEqual([{ id: 'b', name: 'Ben' }]);
    expect(await olderThan(35, 'x')).toEqual([{ id: 'b', name: 'Ben' }]);
    expect(await olderThan(10, 'x')).toEqual([
      { id: 'a', name: 'Ana' },
      { id: 'b', name: 'Ben' },
    ]);
    expect(await olderThan(60, 'x')).toEqual([]);
  });

  it('refuses a query that does not use every argument as a value', async () => {
    const people = await open();
    expect(() =>
      prepareQuery(people, (_id: string) => people.selectFrom('people').selectAll()),
    ).toThrow(/each of the 1 arguments must be one value/);
  });
});
