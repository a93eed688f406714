// `fleetctl gitops` expands environment variables in every file it reads,
// `path:` files included, BEFORE parsing the YAML (fleetdm/fleet
// pkg/spec/gitops.go calls ExpandEnvBytes on each file). The rule, from
// pkg/spec/spec.go (expandEnv, escapeString, getExclusionZones) and
// server/fleet MaybeExpand/getShellName (a copy of Go's os.Expand that leaves
// what it does not replace in place):
//   - a run of N backslashes then `$`: N odd escapes the `$` (it becomes a
//     literal `$` and (N+1)/2-1 backslashes stay); N even leaves the run as is
//     and the `$` still expands;
//   - `$NAME` (ASCII letters, digits, `_`), `${NAME}` and one-character special
//     names (`$*`, `$#`, `$$`, `$@`, `$!`, `$?`, `$-`, `$0`..`$9`) expand; a
//     `$` followed by anything else stays;
//   - names starting FLEET_VAR_ (any case) stay for the server; FLEET_SECRET_
//     ones are refused outside profiles, scripts and `name_template:`;
//   - inside a `description:` or `resolution:` value nothing expands;
//   - an unset variable is an error ("environment variable ... not set").

export interface Expansion {
  readonly text: string;
  readonly errors: string[];
}

const SPECIAL = new Set(['*', '#', '$', '@', '!', '?', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
const isAlnum = (c: string) => /^[A-Za-z0-9_]$/.test(c);

/** getShellName: the name after `$` and how many characters it takes ('' = not a reference). */
function shellName(s: string): { name: string; width: number } {
  if (s[0] === '{') {
    if (s.length > 2 && SPECIAL.has(s[1]) && s[2] === '}') return { name: s[1], width: 3 };
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '}') return i === 1 ? { name: '', width: 2 } : { name: s.slice(1, i), width: i + 1 };
    }
    return { name: '', width: 1 };
  }
  if (SPECIAL.has(s[0])) return { name: s[0], width: 1 };
  let i = 0;
  while (i < s.length && isAlnum(s[i])) i++;
  return { name: s.slice(0, i), width: i };
}

/** The byte ranges of `description:` / `resolution:` values (getExclusionZones). */
function exclusionZones(s: string): [number, number][] {
  const zones: [number, number][] = [];
  for (const key of ['resolution', 'description']) {
    // Go: (?m)^\s*(?:key:)(.|[\r\n])*?(?:^\s+\w+:|\z) -- lazily up to and including the next indented `word:`.
    const re = new RegExp(`^\\s*(?:${key}:)[\\s\\S]*?(?:^\\s+\\w+:|(?![\\s\\S]))`, 'gm');
    for (let m = re.exec(s); m; m = re.exec(s)) {
      zones.push([m.index, m.index + m[0].length]);
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return zones;
}

/** What fleetctl gitops turns `text` into with the environment `env`. */
export function fleetExpandEnv(text: string, env: Readonly<Record<string, string>> = {}): Expansion {
  const errors: string[] = [];
  // escapeString: mark escaped dollars with a sentinel no text contains.
  const ESC = '\u0000ESC\u0000';
  const s = text.replace(/\\+\$/g, (run) => (run.length % 2 !== 0 ? run : `${'\\'.repeat(run.length / 2 - 1)}${ESC}`));
  const zones = exclusionZones(s);
  const nameTemplate = [...s.matchAll(/^\s*name_template:.*$/gm)].map(
    (m) => [m.index ?? 0, (m.index ?? 0) + m[0].length] as const,
  );
  let out = '';
  for (let j = 0; j < s.length; j++) {
    if (s.startsWith(ESC, j)) {
      out += '$';
      j += ESC.length - 1;
      continue;
    }
    if (s[j] !== '$' || j + 1 >= s.length) {
      out += s[j];
      continue;
    }
    const { name, width } = shellName(s.slice(j + 1));
    const end = j + 1 + width;
    const leave = () => {
      out += '$';
    };
    if (name === '') leave();
    else if (name.toUpperCase().startsWith('FLEET_VAR_')) leave();
    else if (name.startsWith('FLEET_SECRET_')) {
      if (!nameTemplate.some(([a, b]) => j >= a && end <= b))
        errors.push(
          `environment variables with "FLEET_SECRET_" prefix are only allowed in profiles and scripts: "${name}"`,
        );
      leave();
    } else if (zones.some(([a, b]) => j >= a && end <= b)) leave();
    else if (Object.hasOwn(env, name)) {
      out += env[name];
      j = end - 1;
    } else {
      errors.push(`environment variable "${name}" not set`);
      leave();
    }
  }
  return { text: out, errors };
}
