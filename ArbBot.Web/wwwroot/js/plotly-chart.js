// The one place the dashboard talks to plotly.js (see Components/Charts/PlotlyChart.razor).
// plotly.min.js is large, so it is loaded on the first chart rather than on every page.

let plotlyLoading;

function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    plotlyLoading ??= new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = 'lib/plotly/plotly.min.js';
        script.onload = () => resolve(window.Plotly);
        script.onerror = () => { plotlyLoading = undefined; reject(new Error('Could not load lib/plotly/plotly.min.js')); };
        document.head.appendChild(script);
    });
    return plotlyLoading;
}

// Readable in the app's (Radzen material) theme: its font, light grid, no plotly branding.
const baseLayout = {
    autosize: true,
    font: { family: 'Roboto, "Segoe UI", system-ui, sans-serif', size: 12, color: '#37474f' },
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: '#ffffff',
    margin: { l: 64, r: 24, t: 16, b: 48 },
    hovermode: 'closest',
    legend: { orientation: 'h', y: -0.18 },
    xaxis: { gridcolor: '#eceff1', zeroline: false },
    yaxis: { gridcolor: '#eceff1', zerolinecolor: '#90a4ae' },
};

const config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };

function merge(base, extra) {
    const result = { ...base };
    for (const [key, value] of Object.entries(extra ?? {})) {
        result[key] = value && typeof value === 'object' && !Array.isArray(value) && base[key] && typeof base[key] === 'object'
            ? merge(base[key], value)
            : value;
    }
    return result;
}

export async function create(element, traces, layout) {
    const plotly = await loadPlotly();
    await plotly.newPlot(element, traces, merge(baseLayout, layout), config);
}

// Appends points to existing traces; each trace keeps at most maxPoints (plotly drops the oldest). Never redraws.
// batches: [{ trace, x: [...], y: [...], text: [...] | null }], possibly several for one trace (points buffered
// before the chart existed), merged here because extendTraces takes each trace index once.
export function extend(element, batches, maxPoints) {
    if (!window.Plotly || !element || !element.data) return;
    const byTrace = new Map();
    for (const b of batches) {
        if (b.x.length === 0) continue;
        const merged = byTrace.get(b.trace) ?? { trace: b.trace, x: [], y: [], text: null };
        if (b.text != null && merged.text == null) merged.text = merged.x.map(() => '');
        merged.x.push(...b.x);
        merged.y.push(...b.y);
        if (merged.text != null) merged.text.push(...(b.text ?? b.x.map(() => '')));
        byTrace.set(b.trace, merged);
    }
    // extendTraces needs the same attributes for every trace of a call: one call with text, one without.
    for (const withText of [false, true]) {
        const group = [...byTrace.values()].filter(b => (b.text != null) === withText);
        if (group.length === 0) continue;
        const update = { x: group.map(b => b.x), y: group.map(b => b.y) };
        if (withText) update.text = group.map(b => b.text);
        window.Plotly.extendTraces(element, update, group.map(b => b.trace), maxPoints);
    }
}

export function purge(element) {
    if (window.Plotly && element) window.Plotly.purge(element);
}
