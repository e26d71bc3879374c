namespace ArbBot.Tests.Fixtures;

/// <summary>Polls a probe until it has a value, for end-to-end conditions on a slow, loaded machine (never a fixed sleep).</summary>
public static class Eventually
{
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, double seconds = 45) where T : struct
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {seconds} s waiting for {what}.");
            await Task.Delay(50);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, double seconds = 45) =>
        ValueAsync(() => Task.FromResult(condition() ? (bool?)true : null), what, seconds);
}
