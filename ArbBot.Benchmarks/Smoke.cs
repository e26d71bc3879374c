using ArbBot.Engine.Recording;
using ArbBot.Engine.Replay;

namespace ArbBot.Benchmarks;

/// <summary>
/// The regression guard scripts/test.sh runs: a few seconds of whole-desk replay over a generated recording (1,000
/// markets, 500 pairs), failing when throughput falls below a deliberately loose floor — a tenth of the 3,000,000
/// events/s target — so a tenfold regression cannot land unseen. Rates are per processor-second, because the machines
/// that run the tests are shared and wall time would measure the neighbours.
/// </summary>
internal static class Smoke
{
    public static int Run(Dictionary<string, string> options)
    {
        var floor = options.Double("floor", 60_000);
        var events = options.Long("events", 300_000);
        var path = Path.Combine(Path.GetTempPath(), $"arbbot-smoke-{Environment.ProcessId}.abrec");
        try
        {
            SyntheticRecording.Generate(path, new SyntheticRecordingOptions { Events = events });
            var (warm, warmReader) = ReplayDesk.Open(path);
            using (warmReader) warm.Run(warmReader, events / 3);

            // Best of three fresh desks: a neighbour's burst on the shared cores should not fail the build.
            ReplayReport? report = null;
            var rate = 0.0;
            for (var trial = 0; trial < 3; trial++)
            {
                var (desk, reader) = ReplayDesk.Open(path);
                var recorded = new List<RecordedBookEvent>((int)events + 4_000);
                using (reader)
                {
                    while (reader.TryRead(out var e)) recorded.Add(e);
                }
                var cpu = CpuClock.Start();
                var run = desk.Run(recorded.ToArray());
                var trialRate = run.Events / Math.Max(cpu.Seconds, 1e-9);
                if (trialRate > rate) (rate, report) = (trialRate, run);
            }
            Console.WriteLine(FormattableString.Invariant(
                $"replay smoke: {report!.Events:N0} events, {report.OpportunitiesTaken:N0} opportunities taken, {report.Fills:N0} fills, best of 3: {rate:N0} events per processor-second (floor {floor:N0}); {Machine.Describe()}"));
            if (report.Errors > 0 || report.Fills == 0)
            {
                Console.Error.WriteLine($"replay smoke: the desk did not trade the recording as expected ({report.Errors} errors, {report.Fills} fills).");
                return 1;
            }
            if (rate < floor)
            {
                Console.Error.WriteLine(FormattableString.Invariant($"replay smoke: {rate:N0} events per processor-second is below the floor of {floor:N0}."));
                return 1;
            }
            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
