using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Engine.Venues.Simulated;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Hosting;

public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// The trading engine as hosted services: options (validated at start-up), the instrument registry, the market-data
    /// hub and its stale-book monitor, the configured venues with their order gateways, the cross-venue strategy behind
    /// the risk gate, execution, portfolio, the records writer, the pairs, and the dashboard's quote board.
    /// </summary>
    public static IServiceCollection AddArbBotEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.BindSection<ArbBotOptions>(configuration, ArbBotOptions.Section);
        services.BindSection<StorageOptions>(configuration, StorageOptions.Section);
        services.AddOptions<VenuesOptions>().Configure(o => VenuesConfiguration.Bind(configuration, o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<VenuesOptions>, VenuesOptionsValidator>();
        services.BindSection<MarketDataOptions>(configuration, MarketDataOptions.SectionName);
        services.BindSection<SimulatorOptions>(configuration, SimulatorOptions.SectionName);
        services.BindSection<PaperExecutionOptions>(configuration, "ArbBot:Paper");
        services.BindSection<PortfolioOptions>(configuration, "ArbBot:Portfolio");
        services.BindSection<ArbitrageExecutorOptions>(configuration, "ArbBot:Execution");

        // Market data: one hub thread applies every book event; strategies, risk and execution run on it too.
        services.AddSingleton<InstrumentRegistry>();
        services.AddSingleton<SimulatedWorld>();
        services.AddSingleton(sp => new MarketDataHub(
            sp.GetRequiredService<InstrumentRegistry>(), sp.GetRequiredService<TimeProvider>(), logger: sp.GetRequiredService<ILogger<MarketDataHub>>()));
        services.AddSingleton(sp => new HubExecutionListener(sp.GetRequiredService<MarketDataHub>(), sp.GetRequiredService<ILogger<HubExecutionListener>>()));
        services.AddSingleton(CreateVenues);
        services.AddSingleton<IEnumerable<IVenue>>(sp => sp.GetRequiredService<VenueSet>().Venues);

        // Records and controls.
        services.AddArbBotPersistence();
        services.AddSingleton<RecordWriter>();
        services.AddSingleton<EngineJournal>();
        services.AddSingleton<IEngineJournal>(sp => sp.GetRequiredService<EngineJournal>());
        services.AddSingleton<DeskControls>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<DeskCommands>();

        // Decisions and execution.
        services.AddSingleton<OpportunityIds>();
        services.AddSingleton<ExecutionLog>();
        services.AddSingleton(sp =>
        {
            var controls = sp.GetRequiredService<DeskControls>();
            return new ArbitrageExecutor(sp.GetRequiredService<MarketDataHub>(), sp.GetRequiredService<VenueSet>().Gateways,
                sp.GetRequiredService<IEngineJournal>(), () => controls.Limits, sp.GetRequiredService<IOptions<ArbitrageExecutorOptions>>().Value,
                sp.GetRequiredService<ILogger<ArbitrageExecutor>>());
        });
        services.AddSingleton(sp => new DeskPortfolio(sp.GetRequiredService<MarketDataHub>(), sp.GetRequiredService<IOptions<PortfolioOptions>>().Value));
        services.AddSingleton(CreateDeskEngine);
        services.AddSingleton<PairService>();

        // Hosted services start in this order and stop in reverse: the writer outlives everything that records.
        services.AddHostedService(sp => sp.GetRequiredService<RecordWriter>());
        services.AddHostedService<EngineHost>();
        services.AddHostedService<StaleBookMonitor>();
        services.AddSingleton<QuoteBoard>();
        services.AddHostedService(sp => sp.GetRequiredService<QuoteBoard>());
        services.AddSingleton<DeskMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<DeskMonitor>());
        return services;
    }

    private static VenueSet CreateVenues(IServiceProvider sp)
    {
        var venueOptions = sp.GetRequiredService<IOptions<VenuesOptions>>().Value;
        var registry = sp.GetRequiredService<InstrumentRegistry>();
        var hub = sp.GetRequiredService<MarketDataHub>();
        var time = sp.GetRequiredService<TimeProvider>();
        var paper = sp.GetRequiredService<IOptions<PaperExecutionOptions>>().Value;
        var listener = sp.GetRequiredService<HubExecutionListener>();

        // Every simulated venue shares one world, so the same question moves together on both venues.
        var world = sp.GetRequiredService<SimulatedWorld>();
        var venues = venueOptions.Enabled
            .Select(e => (IVenue)new SimulatedVenue(e.Venue, world, TickSize.FromDecimal(e.Options.TickSize)))
            .ToList();
        var gateways = venues.ToDictionary(
            v => v.Id,
            v => (IOrderGateway)new PaperOrderGateway(v.Id, hub, registry, v.FeeModel, time, paper, listener));
        return new VenueSet(venues, gateways);
    }

    private static DeskEngine CreateDeskEngine(IServiceProvider sp)
    {
        var hub = sp.GetRequiredService<MarketDataHub>();
        var venues = sp.GetRequiredService<VenueSet>();
        var controls = sp.GetRequiredService<DeskControls>();
        var portfolio = sp.GetRequiredService<DeskPortfolio>();
        var executor = sp.GetRequiredService<ArbitrageExecutor>();
        var ids = sp.GetRequiredService<OpportunityIds>();
        var kalshiFees = venues.Venues.FirstOrDefault(v => v.Id == VenueId.Kalshi)?.FeeModel ?? new KalshiFeeModel();
        var polymarketFees = venues.Venues.FirstOrDefault(v => v.Id == VenueId.Polymarket)?.FeeModel ?? new PolymarketFeeModel();
        var engine = new DeskEngine(hub, sp.GetRequiredService<InstrumentRegistry>(), controls, executor, portfolio,
            sp.GetRequiredService<IEngineJournal>(), sp.GetRequiredService<RecordWriter>(), sp.GetRequiredService<TimeProvider>(),
            sink => new CrossVenueArbitrage(hub, kalshiFees, polymarketFees, controls.Limits, sink, ids));
        var listener = sp.GetRequiredService<HubExecutionListener>();
        listener.Attach(executor);
        listener.Attach(portfolio);
        listener.Attach(sp.GetRequiredService<ExecutionLog>());
        return engine;
    }
}
