using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Recording;

namespace ArbBot.Engine.Replay;

/// <summary>The shape of a generated recording.</summary>
public sealed record SyntheticRecordingOptions
{
    /// <summary>Markets per venue; every Kalshi market is paired with one Polymarket market (approved pairs). Default 500.</summary>
    public int MarketsPerVenue { get; init; } = 500;

    /// <summary>Outcomes per exclusive event (multi-outcome sets). Default 5.</summary>
    public int OutcomesPerEvent { get; init; } = 5;

    /// <summary>Book events after the opening snapshots. Default 10 million.</summary>
    public long Events { get; init; } = 10_000_000;

    /// <summary>Venue event rate the timestamps follow, per second. Default 50,000.</summary>
    public double EventsPerSecond { get; init; } = 50_000;

    public int Seed { get; init; } = 7;

    /// <summary>Short cross-venue dislocations per 10,000 events (tradable edges). Default 5.</summary>
    public int DislocationsPer10k { get; init; } = 5;

    public DateTimeOffset Start { get; init; } = new(2026, 11, 21, 14, 0, 0, TimeSpan.Zero);
}

/// <summary>
/// Writes a large, realistic recording for benchmarks and replay tests: paired Kalshi and Polymarket markets grouped in
/// exclusive multi-outcome events, ten-level books on both tokens of every market, and a live mix of events — mostly
/// level changes near the top (relative on Kalshi, absolute on Polymarket), heartbeats, full-book resends when a
/// market's price moves, rare feed resets, and short cross-venue dislocations the desk can trade.
/// </summary>
public static class SyntheticRecording
{
    // Event mix per 10,000 (the rest are level changes near the top of the book).
    private const int HeartbeatShare = 200;
    private const int PriceMoveShare = 150;
    private const int ResetShare = 1;
    private const int Levels = 10;

    /// <summary>Generates the recording into <paramref name="path"/> and returns how many events it holds.</summary>
    public static long Generate(string path, SyntheticRecordingOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MarketsPerVenue, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.OutcomesPerEvent, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Events);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.EventsPerSecond, 0);
        var random = new Random(options.Seed);
        var registry = new InstrumentRegistry();
        var fair = BuildCatalog(registry, options, random, out var pairs);
        var instruments = registry.Count;
        var sequence = new long[instruments];
        var venueOf = new VenueId[instruments];
        foreach (var instrument in registry.Instruments) venueOf[instrument.Id.Value] = instrument.Venue;

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new RecordingWriter(file, RecordingCatalog.From(registry, pairs: pairs), quality: 1, ownsStream: false);
        var start = options.Start.UtcTicks;
        var tickStep = TimeSpan.TicksPerSecond / options.EventsPerSecond;
        long written = 0;
        var now = start;
        for (var i = 0; i < instruments; i++)
        {
            writer.Write(new RecordedBookEvent(Snapshot(i, fair[i], random, Seq(sequence, venueOf, i), now - 10_000), now));
            written++;
        }
        // Dislocations do not last: someone takes the cheap liquidity within a few milliseconds to a second.
        var takenAway = new PriorityQueue<(int Id, int Units), long>();
        for (long n = 0; n < options.Events; n++)
        {
            now = start + (long)((n + 1) * tickStep);
            var venueTicks = now - TimeSpan.TicksPerMillisecond * (1 + random.Next(40));
            BookEvent e;
            if (takenAway.TryPeek(out var gone, out var due) && due <= n)
            {
                takenAway.Dequeue();
                e = BookEvent.SetLevel(new InstrumentId(gone.Id), BookSide.Ask, Price.FromUnits(gone.Units), 0m, Seq(sequence, venueOf, gone.Id), venueTicks);
                writer.Write(new RecordedBookEvent(e, now));
                written++;
                continue;
            }
            var id = random.Next(instruments);
            var roll = random.Next(10_000);
            var dislocations = options.DislocationsPer10k;
            if (roll < ResetShare)
            {
                writer.Write(new RecordedBookEvent(BookEvent.Clear(new InstrumentId(id), StaleReason.SequenceGap), now));
                e = Snapshot(id, fair[id], random, Seq(sequence, venueOf, id), venueTicks);
                written++;
            }
            else if (roll < ResetShare + dislocations)
            {
                // An ask well below fair on one venue: the cross-venue and multi-outcome strategies see an edge.
                var cheap = Math.Max(100, fair[id] - 600);
                takenAway.Enqueue((id, cheap), n + 50 + random.Next(20_000));
                e = BookEvent.SetLevel(new InstrumentId(id), BookSide.Ask, Price.FromUnits(cheap), 50 + random.Next(200), Seq(sequence, venueOf, id), venueTicks);
            }
            else if (roll < ResetShare + dislocations + PriceMoveShare)
            {
                fair[id] = Math.Clamp(fair[id] + (random.Next(2) == 0 ? -100 : 100), 500, 9_500);
                e = Snapshot(id, fair[id], random, Seq(sequence, venueOf, id), venueTicks);
            }
            else if (roll < ResetShare + dislocations + PriceMoveShare + HeartbeatShare)
            {
                e = BookEvent.Heartbeat(new InstrumentId(id));
            }
            else
            {
                var side = random.Next(2) == 0 ? BookSide.Bid : BookSide.Ask;
                var depth = random.Next(4);
                var units = side == BookSide.Bid ? fair[id] - 100 * (1 + depth) : fair[id] + 100 * (1 + depth);
                var price = Price.FromUnits(Math.Clamp(units, 100, 9_900));
                e = venueOf[id] == VenueId.Kalshi
                    ? BookEvent.AddLevel(new InstrumentId(id), side, price, random.Next(-150, 200), Seq(sequence, venueOf, id), venueTicks)
                    : BookEvent.SetLevel(new InstrumentId(id), side, price, random.Next(8) == 0 ? 0m : random.Next(1, 50_000) / 100m, 0, venueTicks);
            }
            writer.Write(new RecordedBookEvent(e, now));
            written++;
        }
        return written;
    }

    private static long Seq(long[] sequence, VenueId[] venueOf, int id) => venueOf[id] == VenueId.Kalshi ? ++sequence[id] : 0;

    private static BookEvent Snapshot(int id, int fairUnits, Random random, long sequence, long venueTicks)
    {
        var bids = new BookLevel[Levels];
        var asks = new BookLevel[Levels];
        for (var level = 0; level < Levels; level++)
        {
            bids[level] = new BookLevel(Price.FromUnits(Math.Max(1, fairUnits - 100 * (level + 1))), 20 + random.Next(500));
            asks[level] = new BookLevel(Price.FromUnits(Math.Min(9_999, fairUnits + 100 * (level + 1))), 20 + random.Next(500));
        }
        return BookEvent.Snapshot(new InstrumentId(id), bids, asks, sequence, venueTicks);
    }

    /// <summary>Registers the markets and returns each instrument's fair price in units (YES near p, NO near 1 − p).</summary>
    private static int[] BuildCatalog(InstrumentRegistry registry, SyntheticRecordingOptions options, Random random, out List<RecordedPair> pairs)
    {
        var close = options.Start.AddDays(30);
        var eventCount = (options.MarketsPerVenue + options.OutcomesPerEvent - 1) / options.OutcomesPerEvent;
        var probability = new int[options.MarketsPerVenue];
        for (var e = 0; e < eventCount; e++)
        {
            var first = e * options.OutcomesPerEvent;
            var count = Math.Min(options.OutcomesPerEvent, options.MarketsPerVenue - first);
            var weights = new double[count];
            for (var o = 0; o < count; o++) weights[o] = 0.2 + random.NextDouble();
            var total = weights.Sum();
            // Whole cents, at least 5¢, so books sit on the cent grid with room for ten levels each side.
            for (var o = 0; o < count; o++) probability[first + o] = Math.Clamp((int)Math.Round(weights[o] / total * 100) * 100, 500, 9_500);
        }
        foreach (var venue in new[] { VenueId.Kalshi, VenueId.Polymarket })
        {
            var prefix = venue == VenueId.Kalshi ? "KXSYN" : "0xsyn";
            for (var e = 0; e < eventCount; e++)
            {
                registry.AddEvent(new VenueEvent(venue, $"{prefix}-E{e:D4}", $"Synthetic event {e}", "Benchmarks", MutuallyExclusive: true,
                    NegRisk: venue == VenueId.Polymarket, Augmented: false));
            }
        }
        var fair = new List<int>();
        pairs = [];
        foreach (var venue in new[] { VenueId.Kalshi, VenueId.Polymarket })
        {
            var prefix = venue == VenueId.Kalshi ? "KXSYN" : "0xsyn";
            var fees = venue == VenueId.Kalshi ? new FeeParameters(0.07m, 0m, 1) : new FeeParameters(0m, 0m, 1);
            for (var m = 0; m < options.MarketsPerVenue; m++)
            {
                var eventKey = $"{prefix}-E{m / options.OutcomesPerEvent:D4}";
                var key = $"{prefix}-E{m / options.OutcomesPerEvent:D4}-M{m:D4}";
                var label = string.Create(CultureInfo.InvariantCulture, $"Outcome {m % options.OutcomesPerEvent}");
                registry.AddMarket(new Market(venue, key, eventKey, $"Synthetic market {m}: {label}", "Resolves per the synthetic source.", "Synthetic",
                    close, TickSize.Cent, venue == VenueId.Kalshi ? 1m : 5m, label, fees, QuantityStep: venue == VenueId.Kalshi ? 1m : 0.01m),
                    $"{key}:yes", $"{key}:no");
                fair.Add(probability[m]);
                fair.Add(Price.Scale - probability[m]);
            }
        }
        for (var m = 0; m < options.MarketsPerVenue; m++)
        {
            pairs.Add(new RecordedPair(m + 1, $"KXSYN-E{m / options.OutcomesPerEvent:D4}-M{m:D4}", $"0xsyn-E{m / options.OutcomesPerEvent:D4}-M{m:D4}", PairMapping.YesYes));
        }
        return [.. fair];
    }
}
