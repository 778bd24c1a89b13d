/**
 * The routes a Fastify app serves, as `METHOD /path`, read from `printRoutes({ commonPrefix:
 * false })` (Fastify's public view of its router). Each line is a tree node: its indent (four
 * characters a level) says its parent, its text continues the parent's path, and the methods in
 * parentheses are the routes that end there.
 */
export function fastifyRoutes(printed: string): Set<string> {
  const routes = new Set<string>();
  const paths: string[] = [];
  for (const line of printed.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]+)\))?\s*$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    const segment = m[2] ?? '';
    // A top-level wildcard prints as `*`: it is the root's.
    const parent = depth > 0 ? (paths[depth - 1] ?? '') : segment.startsWith('/') ? '' : '/';
    const path = parent + segment;
    paths.length = depth;
    paths[depth] = path;
    for (const method of m[3]?.split(', ') ?? []) routes.add(`${method.trim()} ${path}`);
  }
  return routes;
}
