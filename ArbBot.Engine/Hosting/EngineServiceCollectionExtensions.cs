using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Lifecycle;
using ArbBot.Engine.Notifications;
using ArbBot.Engine.Observability;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Engine.Strategies.SpikeHunter;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Engine.Venues.Simulated;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Hosting;

public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// The trading engine as hosted services: options (validated at start-up), the instrument registry, the market-data
    /// hub and its stale-book monitor, the configured venues with their order gateways, the cross-venue strategy behind
    /// the risk gate, execution, portfolio, the records writer, the pairs, and the dashboard's quote board and spread history.
    /// </summary>
    public static IServiceCollection AddArbBotEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        services.BindSection<ArbBotOptions>(configuration, ArbBotOptions.Section);
        services.BindSection<StorageOptions>(configuration, StorageOptions.Section);
        services.AddOptions<VenuesOptions>().Configure(o => VenuesConfiguration.Bind(configuration, o)).ValidateOnStart();
        services.AddSingleton(new BoundConfigurationSection(VenuesOptions.Section, typeof(VenuesOptions)));
        services.AddSingleton<IValidateOptions<VenuesOptions>, VenuesOptionsValidator>();
        services.BindSection<KalshiOptions>(configuration, KalshiOptions.Section);
        services.BindSection<PolymarketOptions>(configuration, PolymarketOptions.Section);
        services.BindSection<Venues.Polymarket.Trading.PolymarketTradingOptions>(configuration, Venues.Polymarket.Trading.PolymarketTradingOptions.Section);
        services.BindSection<MarketDataOptions>(configuration, MarketDataOptions.SectionName);
        services.BindSection<SimulatorOptions>(configuration, SimulatorOptions.SectionName);
        services.BindSection<PaperExecutionOptions>(configuration, "ArbBot:Paper");
        services.BindSection<PortfolioOptions>(configuration, "ArbBot:Portfolio");
        services.BindSection<ArbitrageExecutorOptions>(configuration, "ArbBot:Execution");
        services.BindSection<SpreadHistoryOptions>(configuration, SpreadHistoryOptions.Section);
        services.BindSection<LifecycleOptions>(configuration, LifecycleOptions.Section);
        services.BindSection<RetentionOptions>(configuration, RetentionOptions.Section);
        services.BindSection<RecordingOptions>(configuration, RecordingOptions.Section);
        services.AddSingleton(sp => new DeskRecording(sp.GetRequiredService<IOptions<RecordingOptions>>().Value,
            sp.GetRequiredService<IOptions<RecordingOptions>>().Value.ResolveDirectory(sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<Replay.ReplayReportStore>();
        services.AddSingleton<Replay.ReplayService>();
        // The host's own stop limit is the desk's: SIGTERM ends the process within it whatever is still running.
        services.AddOptions<HostOptions>().Configure<IOptions<LifecycleOptions>>((host, lifecycle) => host.ShutdownTimeout = lifecycle.Value.ShutdownTimeout);

        // Market data: one hub thread applies every book event; strategies, risk and execution run on it too.
        services.AddSingleton<InstrumentRegistry>();
        services.AddSingleton<SimulatedWorld>();
        services.AddSingleton(sp => new MarketDataHub(
            sp.GetRequiredService<InstrumentRegistry>(), sp.GetRequiredService<TimeProvider>(), logger: sp.GetRequiredService<ILogger<MarketDataHub>>())
        {
            SpinBeforeSleep = sp.GetRequiredService<IOptions<MarketDataOptions>>().Value.HubSpinBeforeSleep,
            ThreadPlacement = new HubThreadPlacement(
                sp.GetRequiredService<IOptions<MarketDataOptions>>().Value.HubProcessor,
                sp.GetRequiredService<IOptions<MarketDataOptions>>().Value.HubRealTimePriority),
        });
        services.AddSingleton(ConfiguredVenues.Create);
        services.AddSingleton(CreateVenues);
        services.AddSingleton<IEnumerable<IVenue>>(sp => sp.GetRequiredService<VenueSet>().Venues);

        // Records and controls.
        services.AddArbBotPersistence();
        services.AddSingleton<RecordWriter>();
        services.AddSingleton<EngineJournal>();
        services.AddSingleton<IEngineJournal>(sp => sp.GetRequiredService<EngineJournal>());
        services.AddSingleton<DeskControls>();
        services.AddSingleton<SpikeHunterControls>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<DeskCommands>();
        // Paper or live: the desk starts on paper; an admin arms live trading through DeskCommands.
        services.AddSingleton(sp => new LiveTrading(sp.GetRequiredService<MarketDataHub>(),
            () => sp.GetRequiredService<TradingDesk>(), () => sp.GetRequiredService<ILiveGateways>()));
        services.AddSingleton<LiveGateways>();
        services.AddSingleton<ILiveGateways>(sp => sp.GetRequiredService<LiveGateways>());

        // Decisions and execution, wired once by TradingDesk and shared under their own types.
        services.AddSingleton<OpportunityIds>();
        services.AddSingleton<ExecutionLog>();
        services.AddSingleton(CreateTradingDesk);
        services.AddSingleton(sp => sp.GetRequiredService<TradingDesk>().Executor);
        services.AddSingleton(sp => sp.GetRequiredService<TradingDesk>().Portfolio);
        services.AddSingleton(sp => sp.GetRequiredService<TradingDesk>().Engine);
        services.AddSingleton(sp => sp.GetRequiredService<TradingDesk>().Listener);
        services.AddSingleton(sp => sp.GetRequiredService<TradingDesk>().Latency);
        services.AddSingleton(sp => sp.GetRequiredService<TradingDesk>().SpikeHunter);
        services.AddSingleton(sp => sp.GetRequiredService<TradingDesk>().SpikeHunter.Board);
        services.AddSingleton<PairService>();
        services.AddSingleton<DeskLifecycle>();
        services.AddArbBotNotifications(configuration);
        services.AddSingleton<VenueApiHealth>();
        services.AddSingleton<DeskMetrics>();
        services.AddSingleton<RestartRecovery>();

        // Hosted services start in this order and stop in reverse: the writer outlives everything that records.
        services.AddHostedService(sp => sp.GetRequiredService<RecordWriter>());
        services.AddHostedService<DurableFillLog>();
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        // Runs first on a stop (IHostedLifecycleService.StoppingAsync): hold trading, cancel open orders, save records.
        services.AddSingleton<ShutdownCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownCoordinator>());
        services.AddSingleton<EngineHost>();
        services.AddHostedService(sp => sp.GetRequiredService<EngineHost>());
        services.AddHostedService<StaleBookMonitor>();
        services.AddSingleton<QuoteBoard>();
        services.AddHostedService(sp => sp.GetRequiredService<QuoteBoard>());
        services.AddSingleton<DeskMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<DeskMonitor>());
        // The dashboard's spread charts: bounded history sampled from the snapshots, markers from the journal.
        services.AddSingleton(sp => new SpreadHistory(sp.GetRequiredService<IOptions<SpreadHistoryOptions>>().Value));
        services.AddHostedService<SpreadHistoryFeed>();
        return services;
    }

    private static VenueSet CreateVenues(IServiceProvider sp) =>
        new(sp.GetRequiredService<ConfiguredVenues>().Venues, sp.GetRequiredService<TradingDesk>().Gateways);

    private static TradingDesk CreateTradingDesk(IServiceProvider sp)
    {
        var writer = sp.GetRequiredService<RecordWriter>();
        var lifecycle = sp.GetRequiredService<DeskLifecycle>();
        var desk = TradingDesk.Create(
            sp.GetRequiredService<MarketDataHub>(),
            sp.GetRequiredService<ConfiguredVenues>().Venues,
            sp.GetRequiredService<DeskControls>(),
            sp.GetRequiredService<IEngineJournal>(),
            sp.GetRequiredService<OpportunityIds>(),
            sp.GetRequiredService<IOptions<PaperExecutionOptions>>().Value,
            sp.GetRequiredService<IOptions<ArbitrageExecutorOptions>>().Value,
            sp.GetRequiredService<IOptions<PortfolioOptions>>().Value,
            // Nothing trades unrecorded, nor before every venue is reconciled after a start, nor while stopping.
            () => writer.Backlogged || lifecycle.HoldsTrading,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<SpikeHunterControls>());
        desk.Listener.Attach(sp.GetRequiredService<ExecutionLog>());
        // Every book event from here on is recorded (rotating files in the data folder) unless ArbBot:Recording:Enabled is false.
        sp.GetRequiredService<DeskRecording>().Attach(sp.GetRequiredService<MarketDataHub>(), desk, sp.GetRequiredService<OpportunityIds>());
        var metrics = sp.GetRequiredService<DeskMetrics>();
        desk.Engine.DecisionLatency = metrics.DecisionLatency;
        sp.GetRequiredService<EngineJournal>().Published += e =>
        {
            if (e is OrderTransition transition) metrics.OnOrderTransition(transition);
        };
        return desk;
    }

    /// <summary>
    /// The configured venues: simulated ones share one world; Kalshi with Source Real talks to the real trade API and
    /// Polymarket with Source Real reads the real public market data (orders of both still go through the paper gateway
    /// TradingDesk wires). Disposed with the container.
    /// </summary>
    private sealed record ConfiguredVenues(IReadOnlyList<IVenue> Venues) : IDisposable
    {
        public static ConfiguredVenues Create(IServiceProvider sp)
        {
            var world = sp.GetRequiredService<SimulatedWorld>();
            var time = sp.GetRequiredService<TimeProvider>();
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            return new ConfiguredVenues(sp.GetRequiredService<IOptions<VenuesOptions>>().Value.Enabled
                .Select(e => (e.Venue, e.Options.Source) switch
                {
                    (VenueId.Kalshi, DataSource.Real) => KalshiVenue.Create(sp.GetRequiredService<IOptions<KalshiOptions>>().Value, time, loggers,
                        // Every REST call is timed and its errors counted per endpoint (Overview page, /metrics).
                        new VenueApiHealthHandler(sp.GetRequiredService<VenueApiHealth>(), VenueId.Kalshi)
                        {
                            InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
                        }),
                    (VenueId.Polymarket, DataSource.Real) => new PolymarketVenue(sp.GetRequiredService<IOptions<PolymarketOptions>>().Value, time, loggers,
                        new VenueApiHealthHandler(sp.GetRequiredService<VenueApiHealth>(), VenueId.Polymarket)
                        {
                            InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
                        }),
                    _ => (IVenue)new SimulatedVenue(e.Venue, world, TickSize.FromDecimal(e.Options.TickSize)),
                })
                .ToList());
        }

        public void Dispose()
        {
            foreach (var venue in Venues) (venue as IDisposable)?.Dispose();
        }
    }
}
