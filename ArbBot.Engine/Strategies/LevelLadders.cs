using ArbBot.Engine.MarketData;

namespace ArbBot.Engine.Strategies;

/// <summary>Copying and comparing the ask ladders a sizing was worked out from, for the strategies' sizing memos.</summary>
internal static class LevelLadders
{
    /// <summary>
    /// True when both ladders have the same levels in the same order: same prices and same sizes digit for digit. Equal
    /// decimals can differ in scale (10 and 10.0), which an opportunity's figures and words would show, so scale counts.
    /// </summary>
    public static bool Same(ReadOnlySpan<BookLevel> a, ReadOnlySpan<BookLevel> b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i].Price != b[i].Price || a[i].Size != b[i].Size || a[i].Size.Scale != b[i].Size.Scale) return false;
        }
        return true;
    }

    /// <summary>Copies <paramref name="levels"/> into <paramref name="into"/> (grown when too short); returns how many were copied.</summary>
    public static int Copy(ReadOnlySpan<BookLevel> levels, ref BookLevel[] into)
    {
        if (into.Length < levels.Length) into = new BookLevel[levels.Length * 2];
        levels.CopyTo(into);
        return levels.Length;
    }
}
