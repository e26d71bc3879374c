using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Tests.Execution;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Components.Charts;
using ArbBot.Web.Components.Positions;
using ArbBot.Web.Components.Spreads;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;
using Radzen;

namespace ArbBot.Tests.Web.Components;

/// <summary>The Spreads, pair chart and Positions building blocks rendered to HTML with the framework's HtmlRenderer.</summary>
public sealed class DashboardComponentRenderTests
{
    private readonly InstrumentRegistry _registry = new();
    private readonly Market _kalshi;
    private readonly Market _polymarket;
    private readonly ManualTimeProvider _time = new();

    public DashboardComponentRenderTests()
    {
        _kalshi = _registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Kalshi, "KXFED-26DEC"), "KXFED-26DEC:yes", "KXFED-26DEC:no");
        _polymarket = _registry.AddMarket(ExecutorHarness.NewMarket(VenueId.Polymarket, "0xfed"), "tok-yes", "tok-no");
    }

    [Fact]
    public async Task Spread_table_shows_each_set_with_its_prices_edges_and_last_opportunity_explained()
    {
        var pair = Pair(PairStatus.Approved);
        var snapshot = Snapshot([pair],
        [
            new ArbSetSpread(pair.Id, 0, _kalshi.Yes, _polymarket.No, ArbSetState.Edge, Price.FromDecimal(0.52m), Price.FromDecimal(0.43m), 0.95m, 0.05m, 0.0175m, 225m, 1),
            new ArbSetSpread(pair.Id, 1, _kalshi.No, _polymarket.Yes, ArbSetState.StaleBook, default, default, 0m, 0m, 0m, 0m, 1),
        ]);
        var rows = SpreadRows.Build(snapshot, _registry, _ => new LastOpportunity(_time.GetUtcNow().AddSeconds(-12), "Taken", "buy 225 sets: net 0.0175/set"));

        var html = await RenderAsync<SpreadTable>(new() { [nameof(SpreadTable.Rows)] = rows, [nameof(SpreadTable.Now)] = _time.GetUtcNow() });

        Assert.Contains("YES on Kalshi + NO on Polymarket", html);
        Assert.Contains("data-testid=\"kalshi-ask-5-0\">0.52<", html);
        Assert.Contains("data-testid=\"polymarket-ask-5-0\">0.43<", html);
        Assert.Contains("data-testid=\"net-edge-5-0\">0.0175<", html);
        Assert.Contains(">0.0500<", html);
        Assert.Contains(">225<", html);
        // A stale set shows no numbers at all rather than old ones.
        Assert.Contains("no price: book stale: not trading", html);
        Assert.DoesNotContain("net-edge-5-1", html);
        Assert.Contains("11:59:48 UTC", html);
        Assert.Contains("12 s ago", html);
        Assert.Contains("<strong>Taken</strong>", html);
        Assert.Contains("title=\"The gross edge minus both venues' fees and the fixed cost per set", html);
        Assert.Contains("what one set would really earn", html);
    }

    [Fact]
    public async Task Spread_table_without_approved_pairs_says_where_to_approve_them()
    {
        var rows = SpreadRows.Build(Snapshot([Pair(PairStatus.Paused)], []), _registry, _ => null);

        var html = await RenderAsync<SpreadTable>(new() { [nameof(SpreadTable.Rows)] = rows });

        Assert.Empty(rows);
        Assert.Contains("No approved pairs yet", html);
    }

    [Fact]
    public async Task Portfolio_tables_show_positions_per_venue_with_subtotals_and_pair_holdings_with_locked_profit()
    {
        var pair = Pair(PairStatus.Approved);
        var portfolio = new PortfolioSnapshot(_time.GetUtcNow(),
            [
                new PositionSnapshot(_kalshi.Yes, VenueId.Kalshi, "KXFED-26DEC:yes", _kalshi.MarketKey, true, 225m, 0.52m, 3.94m, 0m, 0.53m, 2.25m),
                new PositionSnapshot(_polymarket.No, VenueId.Polymarket, "tok-no", _polymarket.MarketKey, false, 225m, 0.43m, 3.38m, 0m, 0.415m, -3.375m),
            ],
            [new PairHolding(pair.Id, 225m, 213.75m, 3.93m)],
            new Dictionary<VenueId, decimal> { [VenueId.Kalshi] = 9_879.06m, [VenueId.Polymarket] = 9_899.87m },
            0m, -1.125m, 7.32m, 19_998.88m, -1.12m, 20_000m, 1.12m, 2);

        var html = await RenderAsync<PortfolioTables>(new() { [nameof(PortfolioTables.Portfolio)] = portfolio, [nameof(PortfolioTables.Pairs)] = new[] { pair } });

        Assert.Contains("data-testid=\"total-equity\">$19,998.88<", html);
        Assert.Contains("data-testid=\"total-locked\">$3.93<", html);
        Assert.Contains("data-testid=\"total-unrealized\">\u2212$1.13<", html);
        Assert.Contains("What complete sets will pay at settlement minus what they cost, fees included.", html);
        Assert.Contains("Fed cuts in December? · <strong>YES</strong>", html);
        Assert.Contains("Kalshi total (cash $9,879.06)", html);
        Assert.Contains("Polymarket total (cash $9,899.87)", html);
        Assert.Contains("data-testid=\"sets-held-5\">225<", html);
        Assert.Contains("data-testid=\"locked-profit-5\">$3.93<", html);
        Assert.DoesNotContain("No positions yet", html);
    }

    [Fact]
    public async Task Chart_renders_its_container_and_leaves_drawing_to_the_browser()
    {
        var html = await RenderAsync<PlotlyChart>(new()
        {
            [nameof(PlotlyChart.Traces)] = new object[] { new { type = "scatter" } },
            [nameof(PlotlyChart.Height)] = "420px",
            ["data-testid"] = "spread-chart",
        });

        Assert.Equal("<div class=\"plotly-chart\" style=\"height: 420px\" data-testid=\"spread-chart\"></div>", html);
        Assert.Equal("2026-11-21 12:00:00.250", PlotlyChart.Time(_time.GetUtcNow().AddMilliseconds(250)));
    }

    private MarketPair Pair(PairStatus status) =>
        new(5, _kalshi.MarketKey, _polymarket.MarketKey, PairMapping.YesYes, status, 90, [], [], _time.GetUtcNow(), _time.GetUtcNow(), "admin");

    private DeskSnapshot Snapshot(IReadOnlyList<MarketPair> pairs, IReadOnlyList<ArbSetSpread> spreads) =>
        DeskSnapshot.Empty(new ControlState(false, null, false, null, new RiskLimits()), _time) with { Pairs = pairs, Spreads = spreads };

    private async Task<string> RenderAsync<TComponent>(Dictionary<string, object?> parameters) where TComponent : IComponent
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(_registry);
        services.AddSingleton<IJSRuntime, UnusedJsRuntime>();
        services.AddRadzenComponents();
        await using var provider = services.BuildServiceProvider();
        await using var renderer = new HtmlRenderer(provider, provider.GetRequiredService<ILoggerFactory>());
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
        // Compared as a browser shows it: the renderer encodes '+', '−' and quotes as entities.
        return System.Net.WebUtility.HtmlDecode(html);
    }

    /// <summary>Static rendering never runs JavaScript; a call would be a bug in the component.</summary>
    private sealed class UnusedJsRuntime : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => throw new InvalidOperationException($"JS call during static render: {identifier}");

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            throw new InvalidOperationException($"JS call during static render: {identifier}");
    }
}
