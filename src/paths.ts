import { fileURLToPath } from 'node:url';

/** The project's own folders, found from this file whether it runs from src/ (tests) or dist/ (the binary). */
const root = new URL('../', import.meta.url);
export const MIGRATIONS_DIR = fileURLToPath(new URL('migrations/', root));
export const VIEWS_DIR = fileURLToPath(new URL('views/', root));
export const PUBLIC_DIR = fileURLToPath(new URL('public/', root));
