/** FHIR string search: case- and accent-insensitive (FHIR search, "string"). */
export function normalizeText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The strings a string search looks into, for each data type (FHIR search, "string" table). */
export function searchableStrings(type: string, value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  const v = value as Record<string, unknown>;
  const pick = (...names: string[]): string[] =>
    names.flatMap((n) => {
      const x = v[n];
      if (typeof x === 'string') return [x];
      if (Array.isArray(x)) return x.filter((e): e is string => typeof e === 'string');
      return [];
    });
  switch (type) {
    case 'HumanName':
      return pick('text', 'family', 'given', 'prefix', 'suffix');
    case 'Address':
      return pick('text', 'line', 'city', 'district', 'state', 'postalCode', 'country');
    default:
      return [];
  }
}
