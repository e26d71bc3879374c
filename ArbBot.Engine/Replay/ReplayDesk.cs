using System.Diagnostics;
using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Portfolio;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;
using ArbBot.Engine.Strategies.SpikeHunter;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Replay;

/// <summary>How a replay desk trades.</summary>
public sealed record ReplayDeskOptions
{
    /// <summary>Risk limits for the run (default: the desk's defaults).</summary>
    public RiskLimits Limits { get; init; } = new();

    /// <summary>Switches the spike hunter on (it always samples; this lets it trade). Default true.</summary>
    public bool SpikeHunterTrading { get; init; } = true;

    /// <summary>Starting balances and the like (default: the desk's defaults). Live-load harnesses give the desk more cash.</summary>
    public PortfolioOptions Portfolio { get; init; } = new();

    /// <summary>Keep every opportunity, order transition, fill and outcome in <see cref="ReplayDesk.Journal"/> (reports, parity).</summary>
    public bool KeepRecords { get; init; }

    /// <summary>The paper order id token the recorded desk used (so ids match), or null for a random one.</summary>
    public string? PaperIdToken { get; init; }

    /// <summary>Opportunity ids continue after this (the recorded desk's last id when the recording started).</summary>
    public long LastOpportunityId { get; init; }
}

/// <summary>What a replay run did and how fast.</summary>
public sealed record ReplayReport(
    long Events,
    long Errors,
    TimeSpan Elapsed,
    long OpportunitiesTaken,
    long OpportunitiesRejected,
    long OrdersSent,
    long Fills,
    long Executions,
    long HedgedExecutions,
    long TimersFired,
    decimal Equity,
    long AllocatedBytes,
    int Gen0Collections,
    int Gen2Collections)
{
    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? Events / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// The whole trading desk built on a recording: the recording's catalog in a fresh registry, its pairs approved, the
/// multi-outcome events watched, the spike hunter on, all wired by <see cref="TradingDesk.Create"/> exactly as the app
/// wires it (hub → strategies → risk gate → paper execution → portfolio). <see cref="Run"/> replays on a
/// <see cref="ReplayClock"/> moved by each event's receive time, as fast as the machine allows; a desk built with a
/// real clock is fed live by <see cref="ReplayLoad"/> instead.
/// </summary>
public sealed class ReplayDesk
{
    private ReplayDesk(InstrumentRegistry registry, RecordingCatalog catalog, TimeProvider time, ReplayClock? clock, ReplayDeskOptions options)
    {
        Registry = registry;
        Clock = clock;
        Hub = new MarketDataHub(registry, time);
        Journal = new ReplayJournal(options.KeepRecords);
        var ids = new OpportunityIds();
        ids.StartAfter(options.LastOpportunityId);
        Controls = new DeskControls();
        Controls.Apply(new ControlState(false, null, false, null, options.Limits));
        var spike = new SpikeHunterControls();
        spike.Apply(spike.Settings with { Enabled = options.SpikeHunterTrading });
        IReadOnlyList<Venues.IVenue> venues = [new ReplayVenue(VenueId.Kalshi, "(in memory)"), new ReplayVenue(VenueId.Polymarket, "(in memory)")];
        Desk = TradingDesk.Create(Hub, venues, Controls, Journal, ids, new PaperExecutionOptions(), new ArbitrageExecutorOptions(),
            options.Portfolio, static () => false, time, NullLoggerFactory.Instance, spike, options.PaperIdToken);
        ApplyPairs(catalog);
        Desk.Engine.WatchMultiOutcomeEvents();
    }

    /// <summary>Approves the catalog's pairs the desk does not trade yet, or trades with another mapping (a later file or catalog block).</summary>
    public void ApplyPairs(RecordingCatalog catalog)
    {
        var now = Hub.Time.GetUtcNow();
        foreach (var pair in catalog.Pairs)
        {
            if (Desk.Engine.Pairs.TryGetValue(pair.Id, out var known) && known.Status == PairStatus.Approved && known.Mapping == pair.Mapping
                && known.KalshiMarketKey == pair.KalshiMarketKey && known.PolymarketMarketKey == pair.PolymarketMarketKey) continue;
            Desk.Engine.SetPair(new MarketPair(pair.Id, pair.KalshiMarketKey, pair.PolymarketMarketKey, pair.Mapping, PairStatus.Approved, 100,
                ["recorded"], [], now, now, "replay"));
        }
    }

    public InstrumentRegistry Registry { get; }
    public MarketDataHub Hub { get; }
    public DeskControls Controls { get; }
    public ReplayJournal Journal { get; }
    public TradingDesk Desk { get; }

    /// <summary>The replay clock, or null for a desk on a real clock.</summary>
    public ReplayClock? Clock { get; }

    /// <summary>
    /// Opens <paramref name="reader"/>'s recording for a replay: its catalog is registered and the clock starts at its
    /// first event. Pass <paramref name="liveTime"/> to build the desk on a real clock instead (paced live load).
    /// </summary>
    public static ReplayDesk Create(RecordingCatalog catalog, InstrumentRegistry registry, DateTimeOffset start, ReplayDeskOptions? options = null, TimeProvider? liveTime = null)
    {
        var clock = liveTime is null ? new ReplayClock(start) : null;
        return new ReplayDesk(registry, catalog, liveTime ?? clock!, clock, options ?? new ReplayDeskOptions());
    }

    /// <summary>Opens a recording file and builds the desk on it; the returned reader is positioned at the first event.</summary>
    public static (ReplayDesk Desk, RecordingReader Reader) Open(string path, ReplayDeskOptions? options = null, TimeProvider? liveTime = null)
    {
        var registry = new InstrumentRegistry();
        var reader = RecordingReader.Open(path, registry);
        try
        {
            // The clock starts where the recording does; the first event is read again by Run from a fresh reader.
            var start = reader.TryRead(out var first) ? new DateTimeOffset(first.ReceivedUtcTicks, TimeSpan.Zero) : DateTimeOffset.UnixEpoch;
            reader.Dispose();
            reader = RecordingReader.Open(path, registry);
            return (Create(reader.Catalog, registry, start, options, liveTime), reader);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Replays every event of <paramref name="reader"/> on the hub's code path: the clock moves to the event's receive
    /// time (firing due timers: paper fills, timeouts, sampling), then the event is applied and everything it caused
    /// runs, before the next. Single-threaded, as fast as the machine allows. At most <paramref name="maxEvents"/>.
    /// </summary>
    public ReplayReport Run(RecordingReader reader, long maxEvents = long.MaxValue)
    {
        var clock = Clock ?? throw new InvalidOperationException("This desk runs on a real clock; feed it with ReplayLoad.");
        return Measure(() =>
        {
            long events = 0, errors = 0;
            while (events < maxEvents && reader.TryRead(out var recorded))
            {
                if (!Step(clock, in recorded)) errors++;
                events++;
            }
            return (events, errors);
        });
    }

    /// <summary>Replays events already in memory (no decoding): the engine's own rate.</summary>
    public ReplayReport Run(ReadOnlySpan<RecordedBookEvent> recorded)
    {
        var clock = Clock ?? throw new InvalidOperationException("This desk runs on a real clock; feed it with ReplayLoad.");
        var copy = recorded.ToArray();
        return Measure(() =>
        {
            long errors = 0;
            foreach (ref readonly var e in copy.AsSpan())
            {
                if (!Step(clock, in e)) errors++;
            }
            return (copy.LongLength, errors);
        });
    }

    /// <summary>
    /// Replays <paramref name="reader"/> entry by entry, following the hub's trace when the recording has one: work the
    /// live hub ran from its queue runs at the same point and clock time, and work it ran right after an event runs
    /// right after the same event, so the desk makes the same decisions in the same order. Without a trace (generated
    /// recordings) posted work runs after each event, as <see cref="Run(RecordingReader, long)"/> does.
    /// <paramref name="afterEntry"/> is called after every entry (progress, the PnL curve); cancellation is checked there.
    /// The trace holds only while the desk decides as the recorded one did (same limits and settings): a what-if replay
    /// with other limits passes <paramref name="followTrace"/> false, and its posted work runs after each event.
    /// </summary>
    /// <returns>Book events applied, events that failed, and whether the recording carried the hub's trace.</returns>
    public (long Events, long Errors, bool Traced) Replay(RecordingReader reader, Action? afterEntry = null, bool followTrace = true, CancellationToken cancellationToken = default)
    {
        var clock = Clock ?? throw new InvalidOperationException("This desk runs on a real clock; feed it with ReplayLoad.");
        long events = 0, errors = 0;
        var traced = false;
        // A catalog block (new markets, changed pairs) is absorbed while the entry after it is read, which may be ahead
        // of the entry being replayed: its pairs are applied just before that entry, where the live desk had them.
        var catalogsRead = 0;
        var catalogsApplied = 0;
        void OnCatalog(RecordingCatalog _) => catalogsRead++;
        reader.CatalogExtended += OnCatalog;
        try
        {
            var more = reader.TryReadEntry(out var recorded, out var control);
            var catalogsBefore = catalogsRead;
            while (more)
            {
                cancellationToken.ThrowIfCancellationRequested();
                more = reader.TryReadEntry(out var nextRecorded, out var nextControl);
                var nextCatalogs = catalogsRead;
                var ownWork = 0;
                if (more && nextControl.Kind == RecordingControlKind.OwnWork)
                {
                    ownWork = (int)Math.Min(nextControl.Value, int.MaxValue);
                    more = reader.TryReadEntry(out nextRecorded, out nextControl);
                    nextCatalogs = catalogsRead;
                }
                if (catalogsBefore > catalogsApplied)
                {
                    ApplyPairs(reader.Catalog);
                    catalogsApplied = catalogsBefore;
                }
                switch (control.Kind)
                {
                    case RecordingControlKind.None when traced:
                        events++;
                        clock.AdvanceTo(recorded.ReceivedUtcTicks);
                        Hub.OwnWorkBudget = ownWork;
                        try
                        {
                            Hub.Apply(in recorded.Event);
                        }
                        catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException or InvalidOperationException)
                        {
                            errors++;
                        }
                        Hub.OwnWorkBudget = 0;
                        break;
                    case RecordingControlKind.None:
                        events++;
                        if (!Step(clock, in recorded)) errors++;
                        break;
                    case RecordingControlKind.HubWork when traced:
                        clock.AdvanceTo(control.ReceivedUtcTicks);
                        Hub.OwnWorkBudget = ownWork;
                        Hub.TryRunQueuedWork((uint)control.Value);
                        Hub.OwnWorkBudget = 0;
                        break;
                    case RecordingControlKind.PaperIdToken when followTrace:
                        // The recorder traces the hub's work from the start of every file it writes.
                        traced = true;
                        Hub.OwnWorkBudget = 0;
                        break;
                }
                afterEntry?.Invoke();
                recorded = nextRecorded;
                control = nextControl;
                catalogsBefore = nextCatalogs;
            }
            if (catalogsRead > catalogsApplied) ApplyPairs(reader.Catalog);
        }
        finally
        {
            reader.CatalogExtended -= OnCatalog;
            Hub.OwnWorkBudget = -1;
        }
        if (!traced) Hub.DrainPending();
        return (events, errors, traced);
    }

    private bool Step(ReplayClock clock, in RecordedBookEvent recorded)
    {
        clock.AdvanceTo(recorded.ReceivedUtcTicks);
        Hub.DrainPending();
        bool applied;
        try
        {
            Hub.Apply(in recorded.Event);
            applied = true;
        }
        catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException or InvalidOperationException)
        {
            applied = false;
        }
        // Work the event caused (fills reported by the paper gateway, hedges) runs before the next event, as on the live hub.
        Hub.DrainPending();
        return applied;
    }

    private ReplayReport Measure(Func<(long Events, long Errors)> run)
    {
        var gen0 = GC.CollectionCount(0);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var (events, errors) = run();
        watch.Stop();
        return Report(events, errors + Hub.ErrorCount, watch.Elapsed, GC.GetAllocatedBytesForCurrentThread() - allocated,
            GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2);
    }

    /// <summary>A report of this desk's counters for a run measured by the caller.</summary>
    public ReplayReport Report(long events, long errors, TimeSpan elapsed, long allocated, int gen0, int gen2) => new(
        events, errors, elapsed, Journal.OpportunitiesTaken, Journal.OpportunitiesRejected, Journal.OrdersSent, Journal.Fills,
        Journal.Executions, Journal.HedgedExecutions, Clock?.TimersFired ?? 0, Desk.Portfolio.Equity, allocated, gen0, gen2);
}
