import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, sqliteKysely } from './database.js';
import { prepareQuery } from './prepared-query.js';

interface Tables {
  people: { id: string; name: string; age: number; kind: string };
}

describe('prepareQuery', () => {
  let db: Kysely<Tables>;
  afterEach(() => db.destroy());

  async function open(): Promise<Kysely<Tables>> {
    db = sqliteKysely<Tables>(openSqlite('sqlite::memory:'));
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

  it('waits for an open transaction on its connection instead of reading its uncommitted rows', async () => {
    const people = await open();
    const nameOf = prepareQuery(people, (id: string) =>
      people.selectFrom('people').select('name').where('id', '=', id),
    );
    let inserted!: () => void;
    const insertDone = new Promise<void>((resolve) => (inserted = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = people.transaction().execute(async (trx) => {
      await trx
        .insertInto('people')
        .values({ id: 'd', name: 'Dan', age: 20, kind: 'person' })
        .execute();
      inserted();
      await held;
      throw new Error('rolled back');
    });
    await insertDone;
    const read = nameOf('d');
    release();
    await expect(transaction).rejects.toThrow('rolled back');
    expect(await read).toEqual([]);
    expect(await nameOf('a')).toEqual([{ name: 'Ana' }]);
  });

  it('runs a statement that returns no rows through Kysely', async () => {
    const people = await open();
    const rename = prepareQuery(people, (name: string, id: string) =>
      people.updateTable('people').set({ name }).where('id', '=', id),
    );
    expect(await rename('Anna', 'a')).toEqual([]);
    expect(
      await people.selectFrom('people').select('name').where('id', '=', 'a').execute(),
    ).toEqual([{ name: 'Anna' }]);
  });

  it('answers a failing statement with a rejected promise', async () => {
    const people = await open();
    const byId = prepareQuery(people, (id: string) =>
      people.selectFrom('people').selectAll().where('id', '=', id),
    );
    await sql`drop table people`.execute(people);
    await expect(byId('a')).rejects.toThrow(/no such table/);
  });
});
