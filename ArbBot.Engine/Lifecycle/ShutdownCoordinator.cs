using System.Diagnostics;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Lifecycle;

/// <summary>
/// Makes a stop (SIGTERM, Ctrl+C, host shutdown) safe, before any service stops: no new order from the moment the stop
/// is requested; executions under way get <see cref="LifecycleOptions.ExecutionDrainTimeout"/> to finish their legs;
/// every order still open is cancelled at its venue and the cancellations are applied on the hub's thread; every
/// pending record is saved. All of it within <see cref="LifecycleOptions.ShutdownTimeout"/> (also the host's limit).
/// </summary>
public sealed class ShutdownCoordinator(
    DeskLifecycle lifecycle,
    MarketDataHub hub,
    ArbitrageExecutor executor,
    VenueSet venues,
    RecordWriter writer,
    DeskMonitor monitor,
    EngineHost engine,
    IOptions<LifecycleOptions> options,
    TimeProvider time,
    ILogger<ShutdownCoordinator> logger) : IHostedLifecycleService
{
    /// <summary>What the last stop did, for logs and tests (null before a stop).</summary>
    public string? LastReport { get; private set; }

    private readonly StopOnce _once = new();

    public Task StoppingAsync(CancellationToken cancellationToken) => _once.RunAsync(StopAsyncOnce, cancellationToken);

    private async Task StopAsyncOnce(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        lifecycle.BeginStopping();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Leave a margin of the host's limit for the services' own StopAsync (the writer's final save among them).
        limit.CancelAfter(options.Value.ShutdownTimeout * 0.8);
        var steps = new List<string>();
        try
        {
            if (!engine.HubRunning)
            {
                // Stopped during start-up: nothing has traded yet and the hub would never run posted work.
                await writer.FlushAsync(limit.Token).ConfigureAwait(false);
                LastReport = $"Shutdown during start-up: records saved in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms.";
                logger.LogInformation("{Report}", LastReport);
                return;
            }
            var drained = await DrainExecutionsAsync(limit.Token).ConfigureAwait(false);
            steps.Add(drained == 0 ? "no execution under way" : $"{drained} execution(s) still under way after the drain time");
            foreach (var gateway in venues.Gateways.Values)
            {
                try
                {
                    await gateway.CancelAllAsync(limit.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Cancelling open orders on {Venue} failed during shutdown", gateway.Venue);
                }
            }
            // The cancellations are applied on the hub's thread: wait until it has run them, so their records are queued.
            await RunOnHubAsync(() => 0, limit.Token).ConfigureAwait(false);
            steps.Add("open orders cancelled");
            // A last snapshot queues the positions as they stand after the final fills and cancellations.
            await monitor.RefreshAsync(limit.Token).ConfigureAwait(false);
            var pending = writer.Pending;
            await writer.FlushAsync(limit.Token).ConfigureAwait(false);
            steps.Add($"{pending} pending record(s) saved");
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            steps.Add("shutdown time limit reached");
            logger.LogError("Shutdown reached its time limit ({Limit}) after: {Steps}; {Pending} record(s) still pending",
                options.Value.ShutdownTimeout, string.Join("; ", steps), writer.Pending);
        }
        LastReport = $"Shutdown: {string.Join("; ", steps)} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms.";
        logger.LogInformation("{Report}", LastReport);
    }

    private async Task<int> DrainExecutionsAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Value.ExecutionDrainTimeout;
        while (true)
        {
            var active = await RunOnHubAsync(() => executor.ActiveExecutions, cancellationToken).ConfigureAwait(false);
            if (active == 0 || time.GetUtcNow() >= deadline) return active;
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> RunOnHubAsync(Func<int> read, CancellationToken cancellationToken)
    {
        var work = new ReadWork(read);
        await hub.PostAsync(work, cancellationToken).ConfigureAwait(false);
        return await work.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class ReadWork(Func<int> read) : IHubWork
    {
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketDataHub hub) => Done.TrySetResult(read());
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
