// One ECharts instance in a div: the option comes from a pure function; the locale follows the UI's.

import type { EChartsOption } from 'echarts';
import { BarChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

echarts.use([BarChart, ScatterChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export function EChart({
  option,
  height,
  testId,
}: {
  option: EChartsOption;
  height: number;
  testId?: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const latest = useRef(option);
  latest.current = option;
  const { i18n } = useTranslation();
  const locale = i18n.language.startsWith('en') ? 'EN' : 'ZH';

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { locale, renderer: 'canvas' });
    chart.current = c;
    c.setOption(latest.current, true);
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [locale]);

  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);

  return <div ref={el} style={{ width: '100%', height }} data-testid={testId} />;
}
