using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ArbBot.Engine.Replay;

namespace ArbBot.Benchmarks;

/// <summary>
/// Hashes every record a replay desk journals, in order: opportunities (id, decision, quantity, economics, legs and
/// reason), risk events (time, rule, verdict, ids and words) and order transitions. Two runs of the same recording with
/// the same digest made the same decisions and wrote the same records.
/// </summary>
internal sealed class JournalDigest
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _opportunities;
    private long _riskEvents;
    private long _transitions;

    public JournalDigest(ReplayJournal journal)
    {
        journal.OpportunityJournaled += o =>
        {
            _opportunities++;
            Add(FormattableString.Invariant($"O|{o.Id}|{o.Strategy}|{o.PairId}|{o.EventKey}|{o.DetectedAt.UtcTicks}|{o.Decision}|{o.Quantity}|{o.GrossEdgePerSet}|{o.TotalCosts}|{o.NetEdgePerSet}|{o.ExpectedProfit}|{string.Join(';', o.Legs)}|{o.Reason}"));
        };
        journal.RiskEventJournaled += r =>
        {
            _riskEvents++;
            Add(FormattableString.Invariant($"R|{r.At.UtcTicks}|{r.Rule}|{r.Verdict}|{r.OpportunityId}|{r.PairId}|{r.EventKey}|{r.Detail}"));
        };
        journal.OrderTransitioned += t =>
        {
            _transitions++;
            Add(string.Create(CultureInfo.InvariantCulture, $"T|{t}"));
        };
    }

    private void Add(string line) => _hash.AppendData(Encoding.UTF8.GetBytes(line + "\n"));

    public string Describe() => FormattableString.Invariant(
        $"  journal digest  {Convert.ToHexString(_hash.GetCurrentHash())[..16]} ({_opportunities:N0} opportunities, {_riskEvents:N0} risk events, {_transitions:N0} order transitions)");
}
