using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Desk;
using ArbBot.Engine.Matching;
using ArbBot.Engine.Persistence;
using ArbBot.Engine.Strategies;
using Microsoft.EntityFrameworkCore;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Hosting;

/// <summary>
/// Runs the engine with the web app: discovers every venue's markets, runs the market-data hub's loop and every
/// venue feed, and on shutdown cancels open orders before stopping the loop. A feed that fails is logged and
/// restarted with a growing delay; it never takes the process down.
/// </summary>
public sealed class EngineHost(
    VenueSet venues,
    InstrumentRegistry registry,
    MarketDataHub hub,
    DeskCommands commands,
    PairService pairs,
    DeskEngine desk,
    OpportunityIds opportunityIds,
    Lifecycle.RestartRecovery recovery,
    IDbContextFactory<ArbBotDbContext> contexts,
    TimeProvider time,
    ILogger<EngineHost> logger) : BackgroundService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once controls, markets, pairs and positions are loaded, the feeds are starting and every venue is reconciled.</summary>
    public Task Ready => _ready.Task;

    private volatile bool _hubRunning;

    /// <summary>True while the hub's loop runs: work posted to it will be done (a stop during start-up may find it not yet running).</summary>
    public bool HubRunning => _hubRunning;

    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(60);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Ids continue after the last stored opportunity; set before the hub runs anything that uses them.
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken).ConfigureAwait(false))
        {
            opportunityIds.StartAfter(await db.Opportunities.MaxAsync(o => (long?)o.Id, stoppingToken).ConfigureAwait(false) ?? 0);
        }
        var hubLoop = RunHubAsync(stoppingToken);
        // The switches first: a kill switch engaged before a restart is engaged before any book arrives.
        await commands.RestoreAsync(stoppingToken).ConfigureAwait(false);
        foreach (var venue in venues.Venues)
        {
            var markets = await DiscoverAsync(venue, stoppingToken).ConfigureAwait(false);
            logger.LogInformation("{Venue}: {Markets} markets discovered", venue.DisplayName, markets);
        }
        await pairs.LoadAndSuggestAsync(stoppingToken).ConfigureAwait(false);
        await WatchMultiOutcomeEventsAsync(stoppingToken).ConfigureAwait(false);
        // Positions come back from the recorded fills before any book can reach a strategy; trading stays held
        // (DeskLifecycle) until every venue has reported its open orders and fills and the records agree.
        await recovery.RebuildPositionsAsync(stoppingToken).ConfigureAwait(false);
        // The desk is wired and no book has arrived: move what the set-up left into gen 2 now, not in trading's first gen 1.
        SetUpCollection.Run(logger);
        var feeds = venues.Venues.Select(v => RunFeedAsync(v, stoppingToken)).ToList();
        await recovery.ReconcileAsync(stoppingToken).ConfigureAwait(false);
        _ready.TrySetResult();
        await Task.WhenAll(feeds.Append(hubLoop)).ConfigureAwait(false);
    }

    private readonly Lifecycle.StopOnce _stopOnce = new();

    public override Task StopAsync(CancellationToken cancellationToken) => _stopOnce.RunAsync(CancelOrdersAndStopAsync, cancellationToken);

    private async Task CancelOrdersAndStopAsync(CancellationToken cancellationToken)
    {
        // Cancel resting orders while the hub still runs, so the cancellations are applied and reported.
        foreach (var gateway in venues.Gateways.Values)
        {
            try
            {
                await gateway.CancelAllAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Cancelling open orders on {Venue} failed during shutdown", gateway.Venue);
            }
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hands every discovered event to multi-outcome arbitrage, on the hub's thread, before any book arrives.</summary>
    private async Task WatchMultiOutcomeEventsAsync(CancellationToken stoppingToken)
    {
        var work = new WatchEventsWork(desk);
        await hub.PostAsync(work, stoppingToken).ConfigureAwait(false);
        var eligible = await work.Done.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        logger.LogInformation("Multi-outcome arbitrage watches {Events} events: {Keys}", eligible.Count,
            string.Join(", ", eligible.Select(e => $"{e.Event.Venue.DisplayName()}:{e.Event.EventKey} ({(e.YesSets ? "YES" : "")}{(e.YesSets && e.NoSets ? "+" : "")}{(e.NoSets ? "NO" : "")})")));
    }

    private sealed class WatchEventsWork(DeskEngine desk) : IHubWork
    {
        public TaskCompletionSource<IReadOnlyList<Strategies.MultiOutcomeArb.OutcomeSetEligibility>> Done { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MarketDataHub hub)
        {
            try
            {
                Done.TrySetResult(desk.WatchMultiOutcomeEvents());
            }
            catch (Exception ex)
            {
                Done.TrySetException(ex);
            }
        }
    }

    private async Task RunHubAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            _hubRunning = true;
            await hub.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _hubRunning = false;
        }
    }

    private async Task<int> DiscoverAsync(IVenue venue, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                var markets = await venue.Instruments.DiscoverAsync(registry, stoppingToken).ConfigureAwait(false);
                return markets.Count;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "{Venue}: market discovery failed; retrying in {Delay}", venue.DisplayName, delay);
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                delay = Min(delay * 2, MaxRestartDelay);
            }
        }
    }

    private async Task RunFeedAsync(IVenue venue, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await venue.MarketData.RunAsync(hub, stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "{Venue}: market data feed failed; restarting in {Delay}", venue.DisplayName, delay);
                try
                {
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = Min(delay * 2, MaxRestartDelay);
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
