namespace ArbBot.Benchmarks;

internal static class PersistenceLoad
{
    public static int Run(Dictionary<string, string> options) => throw new NotImplementedException();
}
