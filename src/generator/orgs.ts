// The org tree (HQ → branches → sub-branches → outlets, plus the remote-banking centre) in real
// cities, with outlets in city districts and in county-level divisions; and the staff of every role.

import { type Division, divisions, isCountyDivision } from '../domain/divisions.js';
import type { Cell } from './csv.js';
import { chineseName } from './names.js';
import { Rng } from './random.js';

export interface Outlet {
  id: string;
  name: string;
  subbranch: string;
  branch: string;
  division: string;
  county: boolean;
  /** Same city: for customers who live near the outlet but not in its division. */
  nearby: string[];
}

export interface StaffMember {
  id: string;
  org: string;
  role: string;
  team: string | null;
}

export interface OrgTree {
  orgRows: Cell[][];
  staffRows: Cell[][];
  outlets: Outlet[];
  subbranches: string[];
  branchOf: Map<string, string>;
  /** Account managers of each outlet, corporate RMs of each sub-branch, outreach staff of each outlet. */
  managers: Map<string, string[]>;
  corporateRms: Map<string, string[]>;
  teams: Map<string, { DOOR: string[]; BACKPACK: string[]; CARE: string[] }>;
  remoteAgents: string[];
  provinces: string[];
  cities: string[];
}

export function orgSizes(customers: number) {
  const branches = Math.max(2, Math.round(customers / 33_333));
  const subbranches = Math.max(2 * branches, Math.round(customers / 8_333));
  const outlets = Math.max(2 * subbranches, Math.round(customers / 2_000));
  return { branches, subbranches, outlets };
}

export function buildOrgTree(seed: number, customers: number): OrgTree {
  const r = new Rng(seed, 'orgs');
  const sizes = orgSizes(customers);
  // Cities with enough districts and county-level divisions to host a branch.
  const byCity = new Map<string, Division[]>();
  for (const d of divisions().values()) {
    const list = byCity.get(d.cityCode) ?? [];
    list.push(d);
    byCity.set(d.cityCode, list);
  }
  const eligible = [...byCity.entries()]
    .filter(([, ds]) => /(市|州|盟|地区)$/.test(ds[0]?.cityName ?? '') && ds[0]?.cityName !== '市辖区')
    .filter(
      ([, ds]) =>
        ds.filter((d) => isCountyDivision(d.code)).length >= 2 &&
        ds.filter((d) => /区$/.test(d.name) && !isCountyDivision(d.code)).length >= 2,
    )
    .sort(([a], [b]) => a.localeCompare(b));
  const cities: [string, Division[]][] = [];
  const pool = [...eligible];
  for (let b = 0; b < sizes.branches; b++) {
    cities.push(pool.splice(r.int(0, pool.length - 1), 1)[0] as [string, Division[]]);
  }

  const orgRows: Cell[][] = [];
  const staffRows: Cell[][] = [];
  const outlets: Outlet[] = [];
  const subbranches: string[] = [];
  const branchOf = new Map<string, string>();
  const managers = new Map<string, string[]>();
  const corporateRms = new Map<string, string[]>();
  const teams = new Map<string, { DOOR: string[]; BACKPACK: string[]; CARE: string[] }>();
  const remoteAgents: string[] = [];
  let staffNo = 0;
  const hire = (org: string, role: string, team: string | null = null): string => {
    const id = `S${String(++staffNo).padStart(6, '0')}`;
    staffRows.push([id, org, chineseName(new Rng(seed, `staff:${id}`)), role, team]);
    return id;
  };
  const [hqCity] = cities[0] as [string, Division[]];
  orgRows.push(['HQ', '总行', 'HQ', null, `${hqCity}00`]);
  orgRows.push(['RC01', '远程银行中心', 'REMOTE_CENTER', 'HQ', `${hqCity}00`]);
  for (let i = 0; i < 3; i++) hire('HQ', 'HQ_OPS');
  for (let i = 0; i < Math.max(3, Math.round(customers / 20_000)); i++)
    remoteAgents.push(hire('RC01', 'REMOTE_AGENT'));

  // Spread evenly: branch b gets share(b) of the sub-branches, each sub-branch its share of the outlets.
  const share = (i: number, total: number, parts: number) =>
    Math.floor(((i + 1) * total) / parts) - Math.floor((i * total) / parts);
  let subIndex = 0;
  for (const [b, [cityCode, ds]] of cities.entries()) {
    const bid = `BR${String(b + 1).padStart(2, '0')}`;
    const cityName = ds[0]?.cityName ?? '';
    orgRows.push([bid, `${cityName}分行`, 'BRANCH', 'HQ', `${cityCode}00`]);
    hire(bid, 'BRANCH_MANAGER');
    hire(bid, 'CORPORATE_RM');
    const districts = ds.filter((d) => !isCountyDivision(d.code));
    const counties = ds.filter((d) => isCountyDivision(d.code));
    const subsHere = share(b, sizes.subbranches, sizes.branches);
    for (let s = 0; s < subsHere; s++) {
      const outletsPerSub = share(subIndex++, sizes.outlets, sizes.subbranches);
      const sid = `${bid}S${String(s + 1).padStart(2, '0')}`;
      // Sub-branches sit in districts or counties; a county sub-branch's outlets are mostly county outlets.
      const countySub = s % 3 === 2 && counties.length > 0;
      const home = countySub
        ? (counties[s % counties.length] as Division)
        : (districts[s % districts.length] as Division);
      orgRows.push([sid, `${home.name}支行`, 'SUBBRANCH', bid, home.code]);
      subbranches.push(sid);
      branchOf.set(sid, bid);
      hire(sid, 'SUBBRANCH_MANAGER');
      corporateRms.set(sid, [hire(sid, 'CORPORATE_RM'), hire(sid, 'CORPORATE_RM')]);
      for (let o = 0; o < outletsPerSub; o++) {
        const oid = `${sid}O${String(o + 1).padStart(2, '0')}`;
        // About a third of outlets sit in county-level divisions.
        const county = countySub ? o !== 0 : o === outletsPerSub - 1;
        const list = county ? counties : districts;
        const div = list[r.int(0, list.length - 1)] as Division;
        const name = `${div.name}${['营业部', '中心', '城东', '城西', '南门', '北门'][o % 6]}网点`;
        orgRows.push([oid, name, 'OUTLET', sid, div.code]);
        branchOf.set(oid, bid);
        outlets.push({
          id: oid,
          name,
          subbranch: sid,
          branch: bid,
          division: div.code,
          county: isCountyDivision(div.code),
          nearby: ds.map((d) => d.code),
        });
        hire(oid, 'OUTLET_MANAGER');
        const ams = Math.max(2, Math.round(customers / sizes.outlets / 700));
        managers.set(
          oid,
          Array.from({ length: ams }, () => hire(oid, 'ACCOUNT_MANAGER')),
        );
        hire(oid, 'TELLER');
        hire(oid, 'TELLER');
        const t = {
          DOOR: [hire(oid, 'ACCOUNT_MANAGER', 'DOOR')],
          BACKPACK: [] as string[],
          CARE: [hire(oid, 'LOBBY', 'CARE')],
        };
        if (isCountyDivision(div.code))
          t.BACKPACK.push(hire(oid, 'ACCOUNT_MANAGER', 'BACKPACK'), hire(oid, 'LOBBY', 'BACKPACK'));
        hire(oid, 'LOBBY');
        teams.set(oid, t);
      }
    }
  }
  const provinces = [...new Set(cities.map(([, ds]) => (ds[0] as Division).provinceCode))];
  return {
    orgRows,
    staffRows,
    outlets,
    subbranches,
    branchOf,
    managers,
    corporateRms,
    teams,
    remoteAgents,
    provinces,
    cities: cities.map(([c]) => c),
  };
}
