/**
 * Destinations as country codes, for the formats that want codes: the CSL writes an address's
 * country as an ISO 3166 alpha-2 code, FollowTheMoney's `country` type takes lower-case codes
 * (and a few territory codes of its own, such as `ua-cri` for Crimea). Pure.
 */
import { normalizeCountry } from '../entity-list/identity.js';
import { codeForName } from '../sources/countries.js';

/** Destinations the source dictionary (src/sources/countries.ts) has no code for. */
const MORE: Record<string, string> = {
  ANDORRA: 'AD',
  ANGOLA: 'AO',
  BAHAMAS: 'BS',
  BOLIVIA: 'BO',
  'CONGO, DEMOCRATIC REPUBLIC OF THE': 'CD',
  'COSTA RICA': 'CR',
  'DOMINICAN REPUBLIC': 'DO',
  ECUADOR: 'EC',
  'EL SALVADOR': 'SV',
  ERITREA: 'ER',
  GHANA: 'GH',
  GUATEMALA: 'GT',
  HONDURAS: 'HN',
  ICELAND: 'IS',
  JAMAICA: 'JM',
  'KOREA, NORTH': 'KP',
  LIECHTENSTEIN: 'LI',
  MADAGASCAR: 'MG',
  PARAGUAY: 'PY',
  PERU: 'PE',
  TANZANIA: 'TZ',
  TUNISIA: 'TN',
  URUGUAY: 'UY',
  ZIMBABWE: 'ZW',
};

/** FollowTheMoney's codes for territories the list names as destinations of their own. */
const FTM_TERRITORIES: Record<string, string> = {
  'CRIMEA REGION OF UKRAINE': 'ua-cri',
  CRIMEA: 'ua-cri',
};

/** The ISO 3166-1 alpha-2 code of a destination (`CHINA, PEOPLE'S REPUBLIC OF` → `CN`). */
export function isoCode(destination: string): string | undefined {
  const canonical = normalizeCountry(destination);
  return MORE[canonical] ?? codeForName(canonical.toLowerCase()) ?? codeForName(destination.toLowerCase());
}

/** The FollowTheMoney `country` value of a destination (`cn`, `ua-cri`). */
export function ftmCountry(destination: string): string | undefined {
  return FTM_TERRITORIES[normalizeCountry(destination)] ?? isoCode(destination)?.toLowerCase();
}
