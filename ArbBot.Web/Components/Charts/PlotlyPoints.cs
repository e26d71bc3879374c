namespace ArbBot.Web.Components.Charts;

/// <summary>Points to append to one trace of a <see cref="PlotlyChart"/>.</summary>
/// <param name="Trace">The trace's index in the chart's traces.</param>
/// <param name="X">X values (dates as <see cref="PlotlyChart.Time"/>).</param>
/// <param name="Y">Y values, one per X; null leaves a gap.</param>
/// <param name="Text">Hover text, one per point, or null for none.</param>
public sealed record PlotlyPoints(int Trace, IReadOnlyList<string> X, IReadOnlyList<decimal?> Y, IReadOnlyList<string>? Text = null);
