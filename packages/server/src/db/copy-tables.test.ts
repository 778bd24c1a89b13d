import { expect, test } from 'vitest';
import { COPY_TABLES, MIGRATOR_TABLES } from './copy-tables.js';
import { openDatabase } from './database.js';

test('salon db copy moves every table the migrations create', async () => {
  const db = await openDatabase('sqlite::memory:');
  try {
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    const data = tables.filter((t) => !MIGRATOR_TABLES.includes(t)).sort();
    expect([...COPY_TABLES].sort()).toEqual(data);
  } finally {
    await db.destroy();
  }
});
