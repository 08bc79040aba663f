import { defineConfig } from 'prisma/config';

// Used by `prisma generate` only; migrations run through prisma/migrate.ts (offline, WebAssembly engine).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
