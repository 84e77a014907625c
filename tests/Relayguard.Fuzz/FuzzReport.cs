using System.Globalization;
using System.Text;

namespace Relayguard.Fuzz;

/// <summary>The figures of one run and every violation of the fuzzer's checks.</summary>
public sealed record FuzzReport
{
    public required int Seed { get; init; }

    public required int Sessions { get; init; }

    public required IReadOnlyDictionary<string, int> SessionsByKind { get; init; }

    public required TimeSpan Duration { get; init; }

    public required int AcceptedAfterAuth { get; init; }

    public required int RelayedFiles { get; init; }

    public required int Hangs { get; init; }

    public required TimeSpan LongestSession { get; init; }

    public required long RssAfterWarmUp { get; init; }

    public required long RssPeak { get; init; }

    public required long RssAfterRun { get; init; }

    public required IReadOnlyList<string> Violations { get; init; }

    public bool Passed => Violations.Count == 0;

    public override string ToString()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"seed {Seed}: {Sessions} sessions in {Duration.TotalSeconds:0.0} s ({Sessions / Math.Max(Duration.TotalSeconds, 0.001):0} sessions/s)");
        text.AppendLine(c, $"by kind: {string.Join(", ", SessionsByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}"))}");
        text.AppendLine(c, $"messages accepted after AUTH: {AcceptedAfterAuth}; files relayed, warm-up included: {RelayedFiles}");
        text.AppendLine(c, $"hangs: {Hangs}; longest session: {LongestSession.TotalSeconds:0.0} s");
        text.AppendLine(c, $"gateway RSS: {Mb(RssAfterWarmUp):0.0} MiB after warm-up, {Mb(RssPeak):0.0} MiB peak, {Mb(RssAfterRun):0.0} MiB after the run ({Mb(RssAfterRun - RssAfterWarmUp):+0.0;-0.0} MiB)");
        text.AppendLine(c, $"violations: {Violations.Count}");
        foreach (var violation in Violations.Take(20))
        {
            text.AppendLine(c, $"  {violation}");
        }

        return text.ToString();
    }

    private static double Mb(long bytes) => bytes / 1024.0 / 1024.0;
}
