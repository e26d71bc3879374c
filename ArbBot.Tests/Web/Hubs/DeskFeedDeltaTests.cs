using System.Text.Json;
using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies.CrossVenueArb;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Hubs;

namespace ArbBot.Tests.Web.Hubs;

/// <summary>
/// The feed's deltas and their fan-out: what a client rebuilds from the bytes it is sent equals the server's state,
/// whichever batches it skipped; a slow client skips rather than queues; pushes stay small and the total rate bounded.
/// </summary>
public sealed class DeskFeedDeltaTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly InstrumentRegistry _registry = new();
    private readonly List<(InstrumentId Kalshi, InstrumentId Polymarket)> _sets = [];

    public DeskFeedDeltaTests()
    {
        for (var i = 0; i < 40; i++)
        {
            var kalshi = _registry.AddMarket(NewMarket(VenueId.Kalshi, $"KX{i}"), $"KX{i}:yes", $"KX{i}:no");
            var polymarket = _registry.AddMarket(NewMarket(VenueId.Polymarket, $"0xpm{i}"), $"pm{i}-yes", $"pm{i}-no");
            _sets.Add((kalshi.Yes, polymarket.No));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Clients_applying_the_pushes_they_are_sent_hold_the_servers_state_after_any_sequence_of_changes(int seed)
    {
        var random = new Random(seed);
        var feed = new DeskFeed(_registry, _time);
        var clients = Enumerable.Range(0, 4).Select(i => new FakeClient($"client-{i}")).ToList();
        var connections = new List<KeyValuePair<string, DeskHubConnections.ClientPush>>();
        var server = new Dictionary<(long, int), ArbSetSpread>();
        var paused = false;
        var exposure = 0m;

        for (var step = 0; step < 300; step++)
        {
            // Clients come and go (a reconnect is a new connection), until the last rounds.
            if (step < 250 && random.Next(20) == 0)
            {
                var index = random.Next(clients.Count);
                connections.RemoveAll(c => c.Key == clients[index].Id);
                clients[index] = new FakeClient($"client-{index}-{step}");
            }
            foreach (var client in clients.Where(c => connections.All(k => k.Key != c.Id)))
            {
                connections.Add(new(client.Id, new DeskHubConnections.ClientPush()));
            }

            // Random changes: spreads added, repriced, removed; the desk paused or resumed; exposure moved.
            for (var change = random.Next(6); change > 0; change--)
            {
                var key = ((long)random.Next(1, 25), random.Next(2));
                switch (random.Next(4))
                {
                    case 0 when server.Count > 0:
                        server.Remove(server.Keys.ElementAt(random.Next(server.Count)));
                        break;
                    default:
                        server[key] = Spread(key.Item1, key.Item2, random);
                        break;
                }
            }
            if (random.Next(10) == 0) paused = !paused;
            if (random.Next(5) == 0) exposure = random.Next(0, 1000);

            var snapshot = Snapshot(server.Values.OrderBy(s => s.PairId).ThenBy(s => s.SetIndex).ToList(), paused) with { TotalExposure = exposure };
            var emission = feed.Emit(snapshot);
            _time.Advance(TimeSpan.FromMilliseconds(100 + random.Next(200)));
            if (emission is null) continue;

            // Some clients are slow this round: their send stays in flight until a later round.
            DeskHubBroadcaster.Dispatch(emission, connections, (id, payload, _) => clients.Single(c => c.Id == id).Receive(payload, random.Next(4) == 0));
            foreach (var client in clients) client.MaybeFinish(random);

            var expected = Mirror.From(emission.Full);
            foreach (var client in clients.Where(c => c.Mirror.Sequence == emission.Sequence))
            {
                Assert.Equal(expected.Describe(), client.Mirror.Describe());
            }
        }

        Assert.All(clients, c => Assert.True(c.Received > 0));
        Assert.Contains(clients, c => c.Deltas > 0);
    }

    [Fact]
    public void A_new_client_gets_the_full_state_then_deltas_and_a_reconnect_gets_the_full_state_again()
    {
        var feed = new DeskFeed(_registry, _time);
        var first = new DeskHubConnections.ClientPush();
        var sent = new List<DeskFeedPayload>();
        Task Send(string id, DeskFeedPayload payload, DeskHubConnections.ClientPush push)
        {
            sent.Add(payload);
            return Task.CompletedTask;
        }

        DeskHubBroadcaster.Dispatch(NextEmission(feed, 0.40m), [new("a", first)], Send);
        DeskHubBroadcaster.Dispatch(NextEmission(feed, 0.41m), [new("a", first)], Send);
        var reconnected = new DeskHubConnections.ClientPush();
        DeskHubBroadcaster.Dispatch(NextEmission(feed, 0.42m), [new("a2", reconnected)], Send);

        Assert.Equal([true, false, true], sent.Select(p => p.Full));
        Assert.Equal(3, Mirror.From(sent[2]).Spreads.Count);
        Assert.Equal(1, reconnected.FullSent);
    }

    [Fact]
    public void A_slow_client_skips_batches_instead_of_queueing_them_and_then_gets_the_full_state()
    {
        var feed = new DeskFeed(_registry, _time);
        var slow = new DeskHubConnections.ClientPush();
        var fast = new DeskHubConnections.ClientPush();
        var inFlight = new TaskCompletionSource();
        var sends = new List<(string Id, DeskFeedPayload Payload)>();
        var clients = new List<KeyValuePair<string, DeskHubConnections.ClientPush>> { new("slow", slow), new("fast", fast) };

        DeskHubBroadcaster.Dispatch(NextEmission(feed, 0.40m), clients, (id, payload, _) =>
        {
            sends.Add((id, payload));
            return id == "slow" ? inFlight.Task : Task.CompletedTask;
        });
        for (var i = 1; i <= 5; i++)
        {
            DeskHubBroadcaster.Dispatch(NextEmission(feed, 0.40m + i / 100m), clients, (id, payload, _) =>
            {
                sends.Add((id, payload));
                return Task.CompletedTask;
            });
        }

        Assert.Single(sends, s => s.Id == "slow");
        Assert.Equal(5, slow.Skipped);
        Assert.Equal(6, sends.Count(s => s.Id == "fast"));

        inFlight.SetResult();
        DeskHubBroadcaster.Dispatch(NextEmission(feed, 0.50m), clients, (id, payload, _) =>
        {
            sends.Add((id, payload));
            return Task.CompletedTask;
        });
        Assert.True(sends.Last(s => s.Id == "slow").Payload.Full);
        Assert.False(sends.Last(s => s.Id == "fast").Payload.Full);
    }

    [Fact]
    public void A_delta_is_as_small_as_what_changed_and_every_batch_is_serialized_once()
    {
        var feed = new DeskFeed(_registry, _time);
        var spreads = Enumerable.Range(1, 1000).SelectMany(pair => new[] { Spread(pair, 0, 0.40m), Spread(pair, 1, 0.55m) }).ToList();
        var firstRound = feed.Emit(Snapshot(spreads))!;
        _time.Advance(TimeSpan.FromSeconds(1));
        spreads[10] = Spread(6, 0, 0.41m);
        var emission = feed.Emit(Snapshot(spreads))!;

        Assert.Equal(2000, emission.Full.Spreads.Count);
        Assert.True(emission.FullPayload.Length > 200_000, $"full {emission.FullPayload.Length} B");
        Assert.Single(emission.Delta.Spreads);
        // One changed spread: the envelope and one spread's fields, whatever the number of pairs.
        Assert.InRange(emission.DeltaPayload.Length, 1, 1_024);
        Assert.Same(emission.FullPayload, emission.FullPayload);
        Assert.NotSame(firstRound.FullPayload, emission.FullPayload);

        _time.Advance(TimeSpan.FromSeconds(1));
        var unchanged = feed.Emit(Snapshot(spreads))!;
        Assert.Empty(unchanged.Delta.Spreads);
        Assert.InRange(unchanged.DeltaPayload.Length, 1, 512);
    }

    [Fact]
    public void A_set_whose_figures_did_not_move_keeps_its_message_so_a_refresh_allocates_only_for_what_changed()
    {
        var feed = new DeskFeed(_registry, _time);
        var spreads = Enumerable.Range(1, 500).SelectMany(pair => new[] { Spread(pair, 0, 0.40m), Spread(pair, 1, 0.55m) }).ToList();
        var first = feed.Emit(Snapshot(spreads))!;
        _time.Advance(TimeSpan.FromSeconds(1));
        // A new spread value with the same figures (its evaluation time moved), and one set repriced.
        spreads[0] = spreads[0] with { EvaluatedUtcTicks = spreads[0].EvaluatedUtcTicks + 1 };
        spreads[10] = Spread(6, 0, 0.41m);
        var second = feed.Emit(Snapshot(spreads))!;

        var before = first.Full.Spreads.ToDictionary(s => s.Key);
        var moved = second.Full.Spreads.Where(s => !ReferenceEquals(s, before[s.Key])).ToList();
        Assert.Equal(new SpreadKey(6, 0), Assert.Single(moved).Key);
        Assert.Equal(0.41m, moved[0].KalshiAsk);
        Assert.Same(moved[0], Assert.Single(second.Delta.Spreads));
        Assert.Equal("YES Kalshi + NO Polymarket", moved[0].Set);

        // Warm, an unchanged refresh makes no spread message and no map: what is left is the batch itself and its copy of the state.
        _time.Advance(TimeSpan.FromSeconds(1));
        feed.Emit(Snapshot(spreads));
        var snapshot = Snapshot(spreads);
        _time.Advance(TimeSpan.FromSeconds(1));
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        feed.Emit(snapshot);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        // A message, its view and its label made anew per set, and a new map, were ~470 KB here; what is left is the batch,
        // its JSON and the state's array (8 KB).
        Assert.InRange(allocated, 1, 64_000);
    }

    [Fact]
    public void After_a_round_of_b_bytes_the_next_batch_waits_b_over_the_budget_so_more_clients_get_fewer_pushes()
    {
        var feed = new DeskFeed(_registry, _time, bytesPerSecondBudget: 1_000_000);
        Assert.NotNull(feed.Emit(Snapshot([])));

        // 100 clients sent 30 kB each: 3 MB in all, so three seconds at 1 MB/s.
        feed.NoteSent(100 * 30_000);
        Assert.Equal(TimeSpan.FromSeconds(3), feed.CurrentInterval);
        _time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.Null(feed.Emit(Snapshot([])));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.NotNull(feed.Emit(Snapshot([])));

        // A small round: back to the minimum interval.
        feed.NoteSent(2 * 300);
        Assert.Equal(feed.MinInterval, feed.CurrentInterval);
    }

    [Fact]
    public void The_payload_is_written_into_the_hub_message_as_the_batch_json_it_was_serialized_to()
    {
        var feed = new DeskFeed(_registry, _time);
        var emission = NextEmission(feed, 0.40m);

        var written = JsonSerializer.Serialize(new { arguments = new object[] { emission.DeltaPayload } }, DeskFeed.Json);

        using var document = JsonDocument.Parse(written);
        var batch = document.RootElement.GetProperty("arguments")[0];
        Assert.Equal(emission.Sequence, batch.GetProperty("sequence").GetInt64());
        Assert.False(batch.GetProperty("full").GetBoolean());
        Assert.Equal(3, batch.GetProperty("spreads").GetArrayLength());
    }

    private DeskFeedEmission NextEmission(DeskFeed feed, decimal ask)
    {
        _time.Advance(TimeSpan.FromSeconds(1));
        return feed.Emit(Snapshot([Spread(1, 0, ask), Spread(1, 1, 0.5m), Spread(2, 0, 0.3m)]))!;
    }

    private ArbSetSpread Spread(long pairId, int setIndex, Random random) =>
        Spread(pairId, setIndex, random.Next(1, 99) / 100m, random.Next(3) == 0 ? ArbSetState.NoAsks : ArbSetState.NoEdge, random.Next(0, 500));

    private ArbSetSpread Spread(long pairId, int setIndex, decimal kalshiAsk, ArbSetState state = ArbSetState.NoEdge, decimal size = 40m)
    {
        var (kalshi, polymarket) = _sets[(int)(pairId % _sets.Count)];
        var polymarketAsk = 0.5m;
        return new ArbSetSpread(pairId, setIndex, kalshi, polymarket, state, Price.FromDecimal(kalshiAsk), Price.FromDecimal(polymarketAsk),
            kalshiAsk + polymarketAsk, 1m - kalshiAsk - polymarketAsk, 0.9m - kalshiAsk - polymarketAsk, size, _time.GetUtcNow().UtcTicks);
    }

    private DeskSnapshot Snapshot(IReadOnlyList<ArbSetSpread> spreads, bool paused = false)
    {
        var controls = new ControlState(paused, paused ? "test" : null, false, null, new RiskLimits());
        return DeskSnapshot.Empty(controls, _time) with { Spreads = spreads };
    }

    private static Market NewMarket(VenueId venue, string key) => new(
        venue, key, "E", key, "", "", new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), TickSize.Cent, 1m, "Yes", FeeParameters.None);

    /// <summary>A hub client: applies the bytes it was sent, as a program reading <c>DeskUpdate</c> would.</summary>
    private sealed class FakeClient(string id)
    {
        private TaskCompletionSource? _inFlight;
        private DeskFeedPayload? _waiting;

        public string Id { get; } = id;
        public Mirror Mirror { get; } = new();
        public int Received { get; private set; }
        public int Deltas { get; private set; }

        public Task Receive(DeskFeedPayload payload, bool slow)
        {
            Assert.Null(_inFlight);
            if (!slow)
            {
                Apply(payload);
                return Task.CompletedTask;
            }
            _waiting = payload;
            _inFlight = new TaskCompletionSource();
            return _inFlight.Task;
        }

        public void MaybeFinish(Random random)
        {
            if (_inFlight is null || random.Next(3) != 0) return;
            Apply(_waiting!);
            var done = _inFlight;
            _inFlight = null;
            _waiting = null;
            done.SetResult();
        }

        private void Apply(DeskFeedPayload payload)
        {
            using var document = JsonDocument.Parse(payload.Utf8Json);
            if (!document.RootElement.GetProperty("full").GetBoolean()) Deltas++;
            Mirror.Apply(document.RootElement);
            Received++;
        }
    }

    /// <summary>What a client holds: the spreads by arb set and the risk state, rebuilt from full batches and deltas.</summary>
    private sealed class Mirror
    {
        public Dictionary<(long, int), string> Spreads { get; } = [];
        public string? RiskState { get; private set; }
        public long Sequence { get; private set; }

        public static Mirror From(DeskFeedBatch full) => From(DeskFeedPayload.Serialize(full));

        public static Mirror From(DeskFeedPayload payload)
        {
            var mirror = new Mirror();
            using var document = JsonDocument.Parse(payload.Utf8Json);
            mirror.Apply(document.RootElement);
            return mirror;
        }

        public void Apply(JsonElement batch)
        {
            var sequence = batch.GetProperty("sequence").GetInt64();
            if (batch.GetProperty("full").GetBoolean())
            {
                Spreads.Clear();
            }
            else
            {
                // A delta only ever arrives on top of the batch this client holds.
                Assert.Equal(Sequence, batch.GetProperty("baseSequence").GetInt64());
                foreach (var removed in batch.GetProperty("removedSpreads").EnumerateArray())
                {
                    Assert.True(Spreads.Remove((removed.GetProperty("pairId").GetInt64(), removed.GetProperty("setIndex").GetInt32())));
                }
            }
            foreach (var spread in batch.GetProperty("spreads").EnumerateArray())
            {
                Spreads[(spread.GetProperty("pairId").GetInt64(), spread.GetProperty("setIndex").GetInt32())] = spread.GetRawText();
            }
            if (batch.GetProperty("riskState").ValueKind == JsonValueKind.Object) RiskState = batch.GetProperty("riskState").GetRawText();
            Sequence = sequence;
        }

        public string Describe() =>
            string.Join("\n", Spreads.OrderBy(s => s.Key).Select(s => s.Value)) + "\n" + RiskState + "\n" + Sequence;
    }
}
