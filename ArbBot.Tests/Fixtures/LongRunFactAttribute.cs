namespace ArbBot.Tests.Fixtures;

/// <summary>
/// A test that takes real minutes (a live paper run): it runs only when ARBBOT_LONG_RUNS=1, so the everyday suite
/// stays fast. The accelerated twin of each such test runs always.
/// </summary>
public sealed class LongRunFactAttribute : FactAttribute
{
    public LongRunFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("ARBBOT_LONG_RUNS") != "1") Skip = "Takes real minutes; set ARBBOT_LONG_RUNS=1 to run it.";
    }
}
