// Colours for the canvas come from the VS Code theme's CSS variables (the canvas cannot use var()
// itself). Read again whenever VS Code switches theme (it rewrites <body>'s class and style).

export interface ChartColors {
  foreground: string;
  grid: string;
  series: string[];
  gc: string;
  /** The chart's change of process (a restart): a dashed vertical line. */
  restart: string;
  prometheus: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const value = style.getPropertyValue(name).trim();
  return value || fallback;
}

export function readChartColors(element: Element = document.body): ChartColors {
  const style = getComputedStyle(element);
  const foreground = cssVar(
    style,
    '--vscode-editor-foreground',
    cssVar(style, '--vscode-foreground', '#888'),
  );
  return {
    foreground,
    grid: cssVar(
      style,
      '--vscode-editorWidget-border',
      cssVar(style, '--vscode-panel-border', 'rgba(128,128,128,0.25)'),
    ),
    series: [
      cssVar(style, '--vscode-charts-blue', '#3794ff'),
      cssVar(style, '--vscode-charts-purple', '#b180d7'),
      cssVar(style, '--vscode-charts-orange', '#d18616'),
      cssVar(style, '--vscode-charts-green', '#89d185'),
      cssVar(style, '--vscode-charts-yellow', '#cca700'),
    ],
    gc: cssVar(style, '--vscode-charts-red', '#f14c4c'),
    restart: foreground,
    prometheus: cssVar(style, '--vscode-descriptionForeground', foreground),
  };
}

/** Calls back when VS Code changes the theme (class vscode-light / vscode-dark / vscode-high-contrast). */
export function onThemeChange(callback: () => void): () => void {
  const observer = new MutationObserver(() => callback());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  return () => observer.disconnect();
}
