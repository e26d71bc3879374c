using System.Collections.Concurrent;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Events;
using Microsoft.AspNetCore.SignalR;

namespace ArbBot.Web.Hubs;

/// <summary>The hub's open connections and, for each, the push still on its way (if any).</summary>
public sealed class DeskHubConnections
{
    private readonly ConcurrentDictionary<string, ClientPush> _connections = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    internal void Add(string connectionId) => _connections[connectionId] = new ClientPush();

    internal void Remove(string connectionId) => _connections.TryRemove(connectionId, out _);

    internal IEnumerable<KeyValuePair<string, ClientPush>> All => _connections;

    internal sealed class ClientPush
    {
        public Task Pending { get; set; } = Task.CompletedTask;

        /// <summary>Batches skipped because this client had not taken the previous one.</summary>
        public long Skipped { get; set; }
    }
}

/// <summary>
/// Feeds <see cref="DeskFeed"/> from the engine (journal events, desk refreshes) and pushes its batches to every hub
/// client. Each client gets its own send: one that has not taken the previous batch skips this one (its next batch's
/// <see cref="DeskFeedBatch.Sequence"/> shows the gap), so a slow client never holds up the others or the engine.
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
        journal.Published += feed.Collect;
        monitor.Refreshed += OnRefreshed;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        journal.Published -= feed.Collect;
        monitor.Refreshed -= OnRefreshed;
        await base.StopAsync(cancellationToken);
    }

    private void OnRefreshed(DeskSnapshot snapshot) => feed.Emit(snapshot);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var batch in feed.Batches.ReadAllAsync(stoppingToken))
            {
                foreach (var (connectionId, push) in connections.All)
                {
                    if (!push.Pending.IsCompleted)
                    {
                        push.Skipped++;
                        continue;
                    }
                    push.Pending = SendAsync(connectionId, batch);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(string connectionId, DeskFeedBatch batch)
    {
        try
        {
            await hub.Clients.Client(connectionId).DeskUpdate(batch);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Pushing desk batch {Sequence} to hub connection {Connection} failed", batch.Sequence, connectionId);
        }
    }
}
