// The Segments page's strings (zh-CN and the same keys in en-US: the type enforces it). The segment
// names themselves are the shared segments.* keys.
import type { Shape } from '../../i18n/shape';

export const zh = {
  segmentsPage: {
    title: '客群',
    purpose: '五大客群及其子客群（一老一小、县域）的规模、走势与价值贡献。',
    programs: {
      PAYROLL: '代发',
      ELDERLY_MINOR: '一老一小',
      PAYMENT: '缴费',
      MERCHANT: '商户',
      COUNTY: '县域',
    },
    countyGroups: {
      FARMER: '农户',
      RURAL_WORKER: '农村务工人员',
      MIGRANT_WORKER: '外出务工人员',
      RURAL_TRANSFER: '涉农补贴领取人',
    },
    program: '客群',
    group: '子客群',
    members: '人数',
    defMembers: '数据日期时属于该客群、归属机构在本机构辖内的客户数；一位客户可属于多个客群。',
    aum: '资产（万元）',
    defAum: '成员在数据日期的金融资产（AUM）之和。',
    value: '旺季价值（万元）',
    defValue:
      '成员自旺季开始至数据日期的价值之和：各账户每日余额 × 该类账户利差 ÷ 360，加上其商户的手续费收入减成本；先求和再四舍五入到分。',
    valueShort: '旺季价值 {{value}}',
    share: '价值占比',
    defShare: '该客群的旺季价值 ÷ 本机构全部客户的旺季价值；客群有重叠，占比之和不必为 100%。',
    orgValue: '本机构旺季价值',
    trend: '旺季以来客群规模走势',
    trendHint: '每个已发布数据日期的客群人数。',
    valueChart: '各客群旺季价值（万元）',
    table: '客群与子客群',
    tableHint:
      '县域客群下列出县域客户分组（农户、务工人员、涉农补贴）；分组按客户职业与补贴入账，不限于县域居民。',
    children: '下级机构',
    childrenHint: '点击下钻查看下级机构的客群。',
    noData: '暂无客群数据',
    noDataHint: '运营人员运行流水线并发布后，这里会显示客群规模与价值。',
    noTrend: '暂无走势：本旺季只有一个数据日期时不画走势',
    export: '导出 CSV',
    rows: '共 {{n}} 个客群',
    dataDate: '数据日期 {{date}}',
  },
};

export const en: Shape<typeof zh> = {
  segmentsPage: {
    title: 'Segments',
    purpose: 'The five programs and their sub-groups (elderly & minors, county): sizes, trends and value.',
    programs: {
      PAYROLL: 'Payroll',
      ELDERLY_MINOR: 'Elderly & minors',
      PAYMENT: 'Bill payment',
      MERCHANT: 'Merchants',
      COUNTY: 'County',
    },
    countyGroups: {
      FARMER: 'Farmers',
      RURAL_WORKER: 'Rural workers',
      MIGRANT_WORKER: 'Migrant workers',
      RURAL_TRANSFER: 'Farm subsidy recipients',
    },
    program: 'Program',
    group: 'Sub-group',
    members: 'Members',
    defMembers:
      'Customers in the segment at the data date whose home org is in this org’s subtree; a customer may be in several.',
    aum: 'AUM (10k yuan)',
    defAum: 'Σ of the members’ assets under management at the data date.',
    value: 'Season value (10k yuan)',
    defValue:
      'Σ over the members of each account’s daily balance × its spread ÷ 360 since the season began, plus their merchants’ fee income less cost; summed, then rounded to the fen.',
    valueShort: 'Season value {{value}}',
    share: 'Share of value',
    defShare:
      'The segment’s season value ÷ the season value of all the org’s customers; segments overlap, so shares need not add up to 100 %.',
    orgValue: 'Org season value',
    trend: 'Segment sizes this season',
    trendHint: 'Members at each published data date.',
    valueChart: 'Season value per segment (10k yuan)',
    table: 'Segments and sub-groups',
    tableHint:
      'Under County: the county groups (farmers, workers, subsidy recipients) by occupation and subsidy credits, not only county residents.',
    children: 'Child orgs',
    childrenHint: 'Click to see a child org’s segments.',
    noData: 'No segment data yet',
    noDataHint: 'Once operations run and publish the pipeline, sizes and value show here.',
    noTrend: 'No trend yet: the season has a single data date so far',
    export: 'Export CSV',
    rows: '{{n}} segments',
    dataDate: 'Data date {{date}}',
  },
};
