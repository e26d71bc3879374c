using ArbBot.Engine.Core;
using ArbBot.Engine.Lifecycle;
using ArbBot.Web.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ArbBot.Tests.Lifecycle;

public sealed class DeskLifecycleTests
{
    [Fact]
    public async Task Trading_is_held_and_not_ready_until_every_venue_reports_then_held_again_when_stopping()
    {
        var lifecycle = new DeskLifecycle();
        var check = new LifecycleHealthCheck(lifecycle);
        Assert.True(lifecycle.HoldsTrading);

        lifecycle.BeginReconciling([VenueId.Kalshi, VenueId.Polymarket]);
        lifecycle.VenueReconciled(new VenueReconciliation(VenueId.Kalshi, DateTimeOffset.UnixEpoch, 2, 0, 0, "Kalshi: 2 closed."));
        Assert.Equal(DeskPhase.Reconciling, lifecycle.State.Phase);
        Assert.Equal([VenueId.Polymarket], lifecycle.State.AwaitingVenues);
        Assert.Contains("waiting for Polymarket", lifecycle.State.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        lifecycle.VenueReconciled(new VenueReconciliation(VenueId.Polymarket, DateTimeOffset.UnixEpoch, 0, 0, 0, "Polymarket: nothing open."));
        Assert.False(lifecycle.HoldsTrading);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        lifecycle.BeginStopping();
        Assert.True(lifecycle.HoldsTrading);
        // A late report cannot reopen trading on a stopping desk.
        lifecycle.BeginReconciling([VenueId.Kalshi]);
        Assert.Equal(DeskPhase.Stopping, lifecycle.State.Phase);
    }
}
