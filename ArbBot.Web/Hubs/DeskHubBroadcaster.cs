using System.Collections.Concurrent;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Events;
using Microsoft.AspNetCore.SignalR;

namespace ArbBot.Web.Hubs;

/// <summary>The hub's open connections and, for each, the push still on its way (if any) and the last batch it was sent.</summary>
public sealed class DeskHubConnections
{
    private readonly ConcurrentDictionary<string, ClientPush> _connections = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>Connected clients (a plain counter: read on the hub's thread for every engine event, so it takes no lock).</summary>
    public int Count => Volatile.Read(ref _count);

    internal void Add(string connectionId)
    {
        if (_connections.TryAdd(connectionId, new ClientPush())) Interlocked.Increment(ref _count);
    }

    internal void Remove(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out _)) Interlocked.Decrement(ref _count);
    }

    internal IEnumerable<KeyValuePair<string, ClientPush>> All => _connections;

    internal sealed class ClientPush
    {
        private long _lastSequence = -1;

        public Task Pending { get; set; } = Task.CompletedTask;

        /// <summary>The batch last handed to this client's connection; −1 before the first (or after a failed send), so the next is full.</summary>
        public long LastSequence
        {
            get => Interlocked.Read(ref _lastSequence);
            set => Interlocked.Exchange(ref _lastSequence, value);
        }

        /// <summary>Batches skipped because this client had not taken the previous one.</summary>
        public long Skipped { get; set; }

        /// <summary>Full batches sent to this client (the first, and one after every skip or failure).</summary>
        public long FullSent { get; set; }
    }
}

/// <summary>
/// Feeds <see cref="DeskFeed"/> from the engine (journal events, desk refreshes) and pushes its batches to every hub
/// client. Each batch is serialized once per form (delta, full) and the same bytes go to every client that needs that
/// form. Each client has at most one push in flight: one that has not taken the previous batch skips this one (nothing
/// queues for it), and because it then lacks the base of the next delta it gets the next batch in full. While no client
/// is connected the feed neither collects nor builds batches.
/// </summary>
public sealed class DeskHubBroadcaster(
    DeskFeed feed,
    EngineJournal journal,
    DeskMonitor monitor,
    DeskHubConnections connections,
    IHubContext<DeskHub, IDeskClient> hub,
    ILogger<DeskHubBroadcaster> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        journal.Published += OnPublished;
        monitor.Refreshed += OnRefreshed;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        journal.Published -= OnPublished;
        monitor.Refreshed -= OnRefreshed;
        await base.StopAsync(cancellationToken);
    }

    // On the hub's thread: a counter read, and an enqueue only when someone will receive it.
    private void OnPublished(object published)
    {
        if (connections.Count > 0) feed.Collect(published);
    }

    // Off the hub's thread (DeskMonitor raises it after the snapshot is taken).
    private void OnRefreshed(DeskSnapshot snapshot)
    {
        if (connections.Count > 0) feed.Emit(snapshot);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var emission in feed.Batches.ReadAllAsync(stoppingToken))
            {
                feed.NoteSent(Dispatch(emission, connections.All, SendAsync));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Starts one batch's sends: skips a client whose previous push is still on its way, sends the delta to a client that
    /// was sent the batch before, the full batch to any other. Returns the bytes handed to connections in all.
    /// </summary>
    internal static long Dispatch(DeskFeedEmission emission, IEnumerable<KeyValuePair<string, DeskHubConnections.ClientPush>> clients,
        Func<string, DeskFeedPayload, DeskHubConnections.ClientPush, Task> send)
    {
        long bytes = 0;
        foreach (var (connectionId, push) in clients)
        {
            if (!push.Pending.IsCompleted)
            {
                push.Skipped++;
                continue;
            }
            var payload = push.LastSequence == emission.Sequence - 1 ? emission.DeltaPayload : emission.FullPayload;
            if (payload.Full) push.FullSent++;
            push.LastSequence = emission.Sequence;
            bytes += payload.Length;
            push.Pending = send(connectionId, payload, push);
        }
        return bytes;
    }

    private async Task SendAsync(string connectionId, DeskFeedPayload payload, DeskHubConnections.ClientPush push)
    {
        try
        {
            await hub.Clients.Client(connectionId).DeskUpdate(payload);
        }
        catch (Exception ex)
        {
            // The client may not have the batch: the next one it gets is full.
            push.LastSequence = -1;
            logger.LogDebug(ex, "Pushing desk batch {Sequence} to hub connection {Connection} failed", payload.Sequence, connectionId);
        }
    }
}
