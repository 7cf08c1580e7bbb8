// A figure's label with its definition (METRICS.md) in a tooltip: every figure on the pages carries
// one (UI.md "Numbers").
import { InfoCircleOutlined } from '@ant-design/icons';
import { Tooltip } from 'antd';

export function Tip({ label, def }: { label: string; def: string }) {
  return (
    <Tooltip title={def}>
      <span>
        {label} <InfoCircleOutlined style={{ color: '#8c8c8c' }} />
      </span>
    </Tooltip>
  );
}
