// ECharts with only the charts and components the pages use (a smaller
// bundle than the full build).
import * as echarts from "echarts/core";
import { BarChart, CustomChart, LineChart, MapChart, SankeyChart, ScatterChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent, GeoComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, CustomChart, LineChart, MapChart, SankeyChart, ScatterChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent, GeoComponent, CanvasRenderer]);

export { echarts };
export type EChartsOption = echarts.EChartsCoreOption & Record<string, any>;
