using ArbBot.Engine.MarketData;
using ArbBot.Engine.Recording;
using ArbBot.Engine.Replay;

namespace ArbBot.Tests.Replay;

public sealed class ReplayDeskTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("arbbot-replay-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Generate(long events, int markets = 50)
    {
        var path = Path.Combine(_folder, $"synthetic-{events}-{markets}.abrec");
        SyntheticRecording.Generate(path, new SyntheticRecordingOptions { Events = events, MarketsPerVenue = markets, Seed = 5 });
        return path;
    }

    [Fact]
    public void A_generated_recording_holds_paired_venues_and_the_event_mix()
    {
        var path = Generate(100_000);

        using var reader = RecordingReader.Open(path);
        var kinds = new Dictionary<BookEventKind, int>();
        while (reader.TryRead(out var e)) kinds[e.Event.Kind] = kinds.GetValueOrDefault(e.Event.Kind) + 1;

        Assert.Equal(200, reader.Catalog.InstrumentCount);
        Assert.Equal(50, reader.Catalog.Pairs.Count);
        Assert.Equal(20, reader.Catalog.Events.Count);
        // A feed reset is two events: the clear and the snapshot after it.
        Assert.Equal(100_000 + 200 + kinds.GetValueOrDefault(BookEventKind.Clear), reader.EventsRead);
        Assert.True(kinds[BookEventKind.SetLevel] + kinds[BookEventKind.AddLevel] > 80_000);
        Assert.True(kinds[BookEventKind.Snapshot] > 200);
        Assert.True(kinds[BookEventKind.Heartbeat] > 1_000);
    }

    [Fact]
    public void Replaying_a_recording_drives_the_whole_desk_from_book_events_to_fills()
    {
        var path = Generate(300_000);

        var (desk, reader) = ReplayDesk.Open(path);
        ReplayReport report;
        using (reader) report = desk.Run(reader);

        Assert.InRange(report.Events, 300_000 + 200, 300_000 + 300);
        Assert.Equal(0, report.Errors);
        Assert.True(report.OpportunitiesTaken > 0, "the recording's dislocations should be found and taken");
        Assert.True(report.OrdersSent >= report.OpportunitiesTaken);
        Assert.True(report.Fills > 0, "paper orders should fill against the replayed books");
        Assert.True(report.TimersFired > 0, "paper latency and sampling run on the replay clock");
        // The replay clock ends at the last event's receive time: five seconds of venue time at 50,000 events a second.
        Assert.InRange(desk.Clock!.GetUtcNow() - new SyntheticRecordingOptions().Start, TimeSpan.FromSeconds(5.9), TimeSpan.FromSeconds(6.1));
    }

    [Fact]
    public void The_same_recording_replays_to_the_same_decisions_from_memory_or_from_the_file()
    {
        var path = Generate(200_000);

        var (first, reader) = ReplayDesk.Open(path);
        ReplayReport fromFile;
        var events = new List<RecordedBookEvent>();
        using (reader) fromFile = first.Run(reader);
        var (second, again) = ReplayDesk.Open(path);
        using (again)
        {
            while (again.TryRead(out var e)) events.Add(e);
        }
        var fromMemory = second.Run(events.ToArray());

        Assert.Equal(fromFile with { Elapsed = default, AllocatedBytes = 0, Gen0Collections = 0, Gen2Collections = 0 },
            fromMemory with { Elapsed = default, AllocatedBytes = 0, Gen0Collections = 0, Gen2Collections = 0 });
    }

    [Fact]
    public async Task A_replay_venue_feeds_its_own_recorded_books_to_a_live_hub()
    {
        var path = Generate(20_000, markets: 10);
        var registry = new Engine.Core.InstrumentRegistry();
        var kalshi = new ReplayVenue(Engine.Core.VenueId.Kalshi, path);
        var markets = await kalshi.Instruments.DiscoverAsync(registry, CancellationToken.None);
        var hub = new MarketDataHub(registry, TimeProvider.System, capacity: 1_000_000);

        await kalshi.MarketData.RunAsync(hub, CancellationToken.None);
        hub.DrainPending();

        Assert.Equal(10, markets.Count);
        Assert.Equal(20, hub.Books.Count());
        Assert.All(hub.Books, b => Assert.Equal(Engine.Core.VenueId.Kalshi, registry[b.Instrument].Venue));
        Assert.Equal(0, hub.ErrorCount);
    }
}
