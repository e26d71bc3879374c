using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Desk;

/// <summary>
/// Everything that decides and trades on one hub, wired the one way the app, replays and tests all use: paper
/// gateways per venue reporting through the hub's execution listener, the arbitrage executor, the portfolio, and the
/// desk engine with its strategies behind the risk gate. Each venue's gateway is a <see cref="RoutedOrderGateway"/>: paper
/// until live trading is armed.
/// </summary>
public sealed class TradingDesk
{
    private TradingDesk(HubExecutionListener listener, IReadOnlyDictionary<VenueId, IOrderGateway> gateways,
        IReadOnlyDictionary<VenueId, RoutedOrderGateway> routes, ArbitrageExecutor executor,
        DeskPortfolio portfolio, DeskEngine engine, OrderLatencyMeter latency, SpikeHunter spikeHunter, SingleOrderExecutor singleOrders,
        string paperIdToken)
    {
        Routes = routes;
        SingleOrders = singleOrders;
        PaperIdToken = paperIdToken;
        Latency = latency;
        SpikeHunter = spikeHunter;
        Listener = listener;
        Gateways = gateways;
        Executor = executor;
        Portfolio = portfolio;
        Engine = engine;
    }

    /// <summary>The token in the paper gateways' order and fill ids (8 hex digits), recorded so a replay issues the same ids.</summary>
    public string PaperIdToken { get; }

    public HubExecutionListener Listener { get; }
    public IReadOnlyDictionary<VenueId, IOrderGateway> Gateways { get; }
    /// <summary>The same gateways with their paper/live route (live only while an admin has armed it).</summary>
    public IReadOnlyDictionary<VenueId, RoutedOrderGateway> Routes { get; }
    /// <summary>The spike hunter's single-leg executor.</summary>
    public SingleOrderExecutor SingleOrders { get; }
    public ArbitrageExecutor Executor { get; }
    public DeskPortfolio Portfolio { get; }
    public DeskEngine Engine { get; }
    /// <summary>Each venue's order response latency, measured from every order the desk sends.</summary>
    public OrderLatencyMeter Latency { get; }
    /// <summary>The spike hunter (seed 004), sampling on the hub's clock once <see cref="SpikeHunter.Start"/> is called by Create.</summary>
    public SpikeHunter SpikeHunter { get; }

    public static TradingDesk Create(
        MarketDataHub hub,
        IReadOnlyList<IVenue> venues,
        DeskControls controls,
        IEngineJournal journal,
        OpportunityIds ids,
        PaperExecutionOptions paper,
        ArbitrageExecutorOptions execution,
        PortfolioOptions portfolioOptions,
        Func<bool> recordsBacklogged,
        TimeProvider time,
        ILoggerFactory loggers,
        SpikeHunterControls? spikeHunter = null,
        string? paperIdToken = null)
    {
        paperIdToken ??= Guid.NewGuid().ToString("N")[..8];
        // Every order the desk sends is reported through this journal, so the meter sees them all.
        var latency = new OrderLatencyMeter();
        journal = new LatencyMeteringJournal(journal, latency);
        var listener = new HubExecutionListener(hub, loggers.CreateLogger<HubExecutionListener>());
        // Paper unless an admin arms live trading (LiveTrading re-routes these between executions).
        var routes = venues.ToDictionary(
            v => v.Id,
            v => new RoutedOrderGateway(new PaperOrderGateway(v.Id, hub, hub.Registry, v.FeeModel, time, paper, listener, paperIdToken)));
        var gateways = routes.ToDictionary(r => r.Key, r => (IOrderGateway)r.Value);
        var executor = new ArbitrageExecutor(hub, gateways, journal, () => controls.Limits, execution, loggers.CreateLogger<ArbitrageExecutor>());
        var portfolio = new DeskPortfolio(hub, portfolioOptions);
        portfolio.FillRefused += fill => journal.OnUnhedgedExposure(null, fill.Instrument, fill.Side == Side.Buy ? fill.Quantity : -fill.Quantity,
            FormattableString.Invariant(
                $"A {fill.Venue} fill ({fill.FillId}, order {fill.ClientOrderId}, {fill.Side} {fill.Quantity} at {fill.Price.Value}, made {fill.Time:u}) was not booked: it is older than the fill ids the portfolio remembers, so it cannot be told from a resend. Check the position on the venue."));
        var kalshiFees = venues.FirstOrDefault(v => v.Id == VenueId.Kalshi)?.FeeModel ?? new KalshiFeeModel();
        var polymarketFees = venues.FirstOrDefault(v => v.Id == VenueId.Polymarket)?.FeeModel ?? new PolymarketFeeModel();
        var engine = new DeskEngine(hub, hub.Registry, controls, executor, portfolio, journal, recordsBacklogged, time,
            sink => new CrossVenueArbitrage(hub, kalshiFees, polymarketFees, controls.Limits, sink, ids),
            sink => new MultiOutcomeArbitrage(hub, kalshiFees, polymarketFees, controls.Limits, controls.MultiOutcome, sink, ids));
        listener.Attach(executor);
        listener.Attach(portfolio);

        // The spike hunter trades single legs: its orders go through their own executor, its entries through the same gate.
        var singleOrders = new SingleOrderExecutor(hub, gateways, journal, () => controls.Limits, execution.ExpiryGrace, loggers.CreateLogger<SingleOrderExecutor>());
        listener.Attach(singleOrders);
        var fees = venues.ToDictionary(v => v.Id, v => v.FeeModel);
        var hunter = new SpikeHunter(hub, spikeHunter ?? new SpikeHunterControls(), engine, journal, ids, singleOrders, fees,
            () => portfolio.Equity, () => controls.KillSwitchEngaged);
        engine.UseExecutor(SpikeHunter.StrategyName, hunter);
        hunter.Start();
        return new TradingDesk(listener, gateways, routes, executor, portfolio, engine, latency, hunter, singleOrders, paperIdToken);
    }
}
