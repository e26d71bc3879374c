namespace ArbBot.Engine.Lifecycle;

/// <summary>
/// Runs a service's stop at most once. A host can be asked to stop twice at the same time (a test host's dispose and
/// the app's own wait for shutdown both call <c>StopAsync</c>, concurrently): the second call waits for the first stop
/// instead of running the same steps again against a desk the first is already taking down, which would, for example,
/// drain the record queue from two threads at once.
/// </summary>
public sealed class StopOnce
{
    private readonly Lock _gate = new();
    private Task? _stop;

    /// <summary>
    /// On the first call, starts <paramref name="stop"/> with this call's token and returns it (the stop decides what its
    /// token's cancellation means). A later call returns a task that completes when that one stop has, or when the later
    /// call's own token is cancelled.
    /// </summary>
    public Task RunAsync(Func<CancellationToken, Task> stop, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_stop is null) return _stop = stop(cancellationToken);
            return _stop.WaitAsync(cancellationToken);
        }
    }
}
