using ArbBot.Engine.Lifecycle;

namespace ArbBot.Tests.Lifecycle;

public sealed class StopOnceTests
{
    [Fact]
    public async Task Calls_made_while_a_stop_runs_wait_for_that_stop_and_do_not_run_it_again()
    {
        var once = new StopOnce();
        var runs = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Stop(CancellationToken token)
        {
            Interlocked.Increment(ref runs);
            await release.Task;
        }

        var calls = Enumerable.Range(0, 8).Select(_ => Task.Run(() => once.RunAsync(Stop, CancellationToken.None))).ToArray();
        await Task.Delay(50);
        Assert.All(calls, c => Assert.False(c.IsCompleted));
        release.SetResult();
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, runs);
        await once.RunAsync(Stop, CancellationToken.None);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task A_later_caller_giving_up_does_not_cancel_the_stop_under_way()
    {
        var once = new StopOnce();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        async Task Stop(CancellationToken token)
        {
            await release.Task.WaitAsync(token);
            finished = true;
        }

        var first = once.RunAsync(Stop, CancellationToken.None);
        using var impatient = new CancellationTokenSource();
        var second = once.RunAsync(Stop, impatient.Token);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);

        release.SetResult();
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(finished);
    }

    [Fact]
    public async Task A_stop_that_fails_reports_its_failure_to_every_caller()
    {
        var once = new StopOnce();
        static async Task Stop(CancellationToken token)
        {
            await Task.Yield();
            throw new InvalidOperationException("the database went away");
        }

        var first = await Assert.ThrowsAsync<InvalidOperationException>(() => once.RunAsync(Stop, CancellationToken.None));
        var second = await Assert.ThrowsAsync<InvalidOperationException>(() => once.RunAsync(Stop, CancellationToken.None));
        Assert.Same(first, second);
    }
}
