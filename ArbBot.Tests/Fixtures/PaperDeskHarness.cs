using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.MultiOutcomeArb;
using ArbBot.Engine.Venues;
using ArbBot.Engine.Venues.Simulated;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// The whole trading desk (simulated venues, hub, strategy, risk gate, paper execution, portfolio) driven on a manual
/// clock: every simulator step is applied, then time advances in small slices with the hub drained after each, so
/// paper latency, order timeouts and hedges happen in order. Deterministic for a seed, and minutes run in seconds.
/// </summary>
public sealed class PaperDeskHarness
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(10);

    private PaperDeskHarness(int seed, TimeSpan stepInterval, string? recordTo)
    {
        Time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 14, 0, 0, TimeSpan.Zero));
        World = new SimulatedWorld(new SimulatorOptions { Seed = seed, StepInterval = stepInterval }, Time);
        Venues = [new SimulatedVenue(VenueId.Kalshi, World, TickSize.Cent), new SimulatedVenue(VenueId.Polymarket, World, TickSize.Cent)];
        Registry = new InstrumentRegistry();
        Hub = new MarketDataHub(Registry, Time);
        Desk = TradingDesk.Create(Hub, Venues, Controls, Journal, Ids, new PaperExecutionOptions(), new ArbitrageExecutorOptions(),
            new PortfolioOptions(), () => false, Time, NullLoggerFactory.Instance);
        if (recordTo is not null)
        {
            // As the app records: every book event and the hub's work, with the pairs and the desk's ids in each file.
            Recorder = new BookEventRecorder(new BookEventRecorderOptions
            {
                Directory = recordTo,
                // The accelerated run makes minutes of events in about a second; on a loaded machine the recorder's
                // thread can fall that far behind, and a dropped event would break parity. The app's rate is far lower.
                BufferCapacity = 1 << 20,
                Pairs = () => Desk.Engine.ApprovedPairs,
                DeskIds = () => (Desk.PaperIdToken, Ids.Last),
            }, Registry, Time);
            Hub.Recorder = Recorder;
        }
    }

    public OpportunityIds Ids { get; } = new();

    /// <summary>The recorder of this run when created with a folder to record to; dispose it to close the files.</summary>
    public BookEventRecorder? Recorder { get; }

    public ManualTimeProvider Time { get; }
    public SimulatedWorld World { get; }
    public IReadOnlyList<SimulatedVenue> Venues { get; }
    public InstrumentRegistry Registry { get; }
    public MarketDataHub Hub { get; }
    public DeskControls Controls { get; } = new();
    public RecordingJournal Journal { get; } = new();
    public TradingDesk Desk { get; }

    /// <param name="recordTo">A folder to record the run to (book events and the hub's work, as the app does), or null.</param>
    /// <param name="beforeFirstBooks">Runs after discovery and before the first books arrive, where the app approves its pairs and watches events.</param>
    public static async Task<PaperDeskHarness> CreateAsync(int seed, TimeSpan? stepInterval = null, string? recordTo = null, Action<PaperDeskHarness>? beforeFirstBooks = null)
    {
        var harness = new PaperDeskHarness(seed, stepInterval ?? TimeSpan.FromMilliseconds(100), recordTo);
        foreach (var venue in harness.Venues) await venue.Instruments.DiscoverAsync(harness.Registry, CancellationToken.None);
        beforeFirstBooks?.Invoke(harness);
        foreach (var venue in harness.Venues) harness.Post(venue.MarketData.Snapshot());
        harness.Hub.DrainPending();
        return harness;
    }

    /// <summary>
    /// Approves, as an admin would after checking them, the matcher's suggestions that truly are the same contract
    /// (the simulator's ground truth), with the true mapping. Returns how many.
    /// </summary>
    public int ApproveSuggestedTruePairs()
    {
        var suggestions = new PairSuggester().Suggest(
            Registry.Markets.Where(m => m.Venue == VenueId.Kalshi), Registry.Markets.Where(m => m.Venue == VenueId.Polymarket));
        var suggested = suggestions.Select(s => (s.KalshiMarketKey, s.PolymarketMarketKey)).ToHashSet();
        var id = 0L;
        foreach (var truth in World.Catalog.GroundTruthMatches.Where(t => suggested.Contains((t.KalshiMarketKey, t.PolymarketMarketKey))))
        {
            var pair = new MarketPair(++id, truth.KalshiMarketKey, truth.PolymarketMarketKey, truth.YesIsNo ? PairMapping.YesNo : PairMapping.YesYes,
                PairStatus.Approved, 100, [], [], Time.GetUtcNow(), Time.GetUtcNow(), "test");
            Desk.Engine.SetPair(pair);
        }
        return (int)id;
    }

    /// <summary>
    /// Watches every multi-outcome event the venues list (as the host does after discovery), with
    /// <paramref name="settings"/> applied first when given. Returns the events with a tradable set.
    /// </summary>
    public IReadOnlyList<OutcomeSetEligibility> WatchMultiOutcomeEvents(MultiOutcomeSettings? settings = null)
    {
        if (settings is not null) Controls.Apply(settings);
        return Desk.Engine.WatchMultiOutcomeEvents();
    }

    /// <summary>Runs the market for <paramref name="duration"/> of simulated time.</summary>
    public void Run(TimeSpan duration)
    {
        var end = Time.GetUtcNow() + duration;
        while (Time.GetUtcNow() < end)
        {
            foreach (var venue in Venues) Post(venue.MarketData.Step());
            Hub.DrainPending();
            var stepEnd = Time.GetUtcNow() + World.StepInterval;
            while (Time.GetUtcNow() < stepEnd)
            {
                Time.Advance(Slice);
                Hub.DrainPending();
            }
        }
    }

    private void Post(IReadOnlyList<BookEvent> events)
    {
        foreach (var e in events)
        {
            if (!Hub.TryPost(e))
            {
                Hub.DrainPending();
                Hub.TryPost(e);
            }
        }
    }
}
