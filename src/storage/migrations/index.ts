import type { Migration, MigrationProvider } from 'kysely/migration';
import { initial } from './001-initial.ts';

/** Migrations are code, listed in order; the names are stored, so never rename one that has shipped. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
