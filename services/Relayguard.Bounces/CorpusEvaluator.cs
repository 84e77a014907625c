using System.Globalization;

namespace Relayguard.Bounces;

/// <summary>
/// The body of <c>relayguard evaluate-corpus DIR</c>: classifies every message of the bounce corpus
/// and prints recall, false reports, address accuracy, hard/soft and reason agreement per folder.
/// </summary>
public static class CorpusEvaluator
{
    /// <summary>Minimum share of reports recognised.</summary>
    public const double RecallTarget = 0.99;

    /// <summary>Minimum share of messages whose failed addresses are exactly right.</summary>
    public const double AddressTarget = 0.98;

    /// <summary>Minimum share of sisimai rows whose hard/soft verdict agrees.</summary>
    public const double HardSoftTarget = 0.97;

    private static readonly string[] Folders = ["sisimai", "sisimai-not", "flufl", "bounceparser"];

    /// <summary>
    /// Evaluates the corpus in <paramref name="corpusDirectory"/> and writes the figures. Returns 0
    /// when every target is met, 1 when one is missed, 2 when the directory is not a corpus.
    /// </summary>
    public static int Run(string corpusDirectory, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(corpusDirectory);
        ArgumentNullException.ThrowIfNull(output);

        if (!Directory.Exists(corpusDirectory))
        {
            output.WriteLine($"The corpus directory '{corpusDirectory}' does not exist. Pass the folder that holds {string.Join(", ", Folders)}; the corpus is not part of this repository.");
            return 2;
        }

        var present = Folders.Where(f => Directory.Exists(Path.Combine(corpusDirectory, f))).ToList();
        if (present.Count == 0)
        {
            output.WriteLine($"No corpus found in '{corpusDirectory}': expected the folders {string.Join(", ", Folders)}. Pass the folder that holds them, with their tables of expected results.");
            return 2;
        }

        var tallies = present.Select(folder => Evaluate(corpusDirectory, folder)).ToList();
        var total = Sum(tallies);

        output.WriteLine($"Bounce corpus: {Path.GetFullPath(corpusDirectory)}");
        output.WriteLine();
        WriteTable(output, tallies.Append(total).ToList());
        output.WriteLine();

        var met = WriteTargets(output, total);
        WriteList(output, "Misses", tallies.SelectMany(t => t.Misses));
        WriteList(output, "Reason differences", tallies.SelectMany(t => t.ReasonDifferences));
        return met ? 0 : 1;
    }

    private static CorpusTally Evaluate(string corpusDirectory, string folder)
    {
        var classifier = new BounceClassifier();
        var tally = new CorpusTally(folder);
        var sisimai = ReadIfPresent(corpusDirectory, "sisimai-expected.tsv", CorpusAnswers.ReadSisimai) ?? [];
        var flufl = ReadIfPresent(corpusDirectory, "flufl-expected.tsv", CorpusAnswers.ReadFlufl) ?? [];
        var bounceParser = ReadIfPresent(corpusDirectory, "bounceparser-expected.tsv", CorpusAnswers.ReadBounceParser) ?? [];

        foreach (var path in Directory.GetFiles(Path.Combine(corpusDirectory, folder)).Order(StringComparer.Ordinal))
        {
            var file = Path.GetFileName(path);
            var raw = File.ReadAllText(path, System.Text.Encoding.Latin1);
            var expected = folder switch
            {
                "sisimai" or "sisimai-not" => SisimaiExpectation(file, raw, sisimai),
                "flufl" => flufl.TryGetValue(file, out var answer)
                    ? new CorpusExpectation { IsReport = true, Addresses = answer.Addresses, FluflPermanent = answer.Permanent }
                    : new CorpusExpectation { IsReport = true },
                _ => bounceParser.GetValueOrDefault(file) ?? new CorpusExpectation { IsReport = true },
            };

            using var stream = File.OpenRead(path);
            tally.Add(file, expected, classifier.Classify(stream));
        }

        return tally;
    }

    private static CorpusExpectation SisimaiExpectation(string file, string raw, Dictionary<string, List<SisimaiRow>> rows)
    {
        var isReport = CorpusAnswers.SisimaiIsReport(file);
        return new CorpusExpectation
        {
            IsReport = isReport,
            Addresses = isReport ? CorpusAnswers.ReadOwnRecipients(raw) : null,
            SisimaiRows = isReport && rows.TryGetValue(file, out var list) ? list : [],
        };
    }

    private static T? ReadIfPresent<T>(string directory, string name, Func<string, T> read)
        where T : class
    {
        var path = Path.Combine(directory, name);
        return File.Exists(path) ? read(path) : null;
    }

    private static CorpusTally Sum(List<CorpusTally> tallies)
    {
        var total = new CorpusTally("total");
        total.AddCounts(tallies);
        return total;
    }

    private static void WriteTable(TextWriter output, List<CorpusTally> rows)
    {
        output.WriteLine($"{"folder",-13} {"messages",8}  {"report recall",-20} {"false reports",-15} {"addresses",-20} {"hard/soft",-20} {"reasons",-20} {"permanence",-16}");
        foreach (var t in rows)
        {
            output.WriteLine(
                $"{t.Folder,-13} {t.Messages,8}  {Ratio(t.ReportsFound, t.Reports),-20} {Count(t.FalseReports, t.NonReports),-15} {Ratio(t.AddressesCorrect, t.AddressesChecked),-20} " +
                $"{Ratio(t.HardAgreed, t.HardChecked),-20} {Ratio(t.ReasonsAgreed, t.ReasonsChecked),-20} {Ratio(t.PermanenceAgreed, t.PermanenceChecked),-16}");
        }
    }

    private static bool WriteTargets(TextWriter output, CorpusTally total)
    {
        var checks = new (string Name, bool Met)[]
        {
            ($"report recall >= {Percent(RecallTarget)}", Share(total.ReportsFound, total.Reports) >= RecallTarget),
            ("no false reports", total.FalseReports == 0),
            ($"address accuracy >= {Percent(AddressTarget)}", Share(total.AddressesCorrect, total.AddressesChecked) >= AddressTarget),
            ($"hard/soft agreement with sisimai >= {Percent(HardSoftTarget)}", Share(total.HardAgreed, total.HardChecked) >= HardSoftTarget),
        };

        output.WriteLine("Targets:");
        foreach (var (name, met) in checks)
        {
            output.WriteLine($"  {(met ? "met   " : "MISSED")} {name}");
        }

        return checks.All(c => c.Met);
    }

    private static void WriteList(TextWriter output, string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        output.WriteLine();
        output.WriteLine($"{title} ({list.Count}):");
        foreach (var line in list)
        {
            output.WriteLine("  " + line);
        }
    }

    private static string Percent(double share) => string.Create(CultureInfo.InvariantCulture, $"{share * 100:0.#}%");

    private static double Share(int part, int whole) => whole == 0 ? 1.0 : (double)part / whole;

    private static string Ratio(int part, int whole) =>
        whole == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{part}/{whole} {Share(part, whole) * 100:F1}%");

    private static string Count(int part, int whole) => whole == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{part}/{whole}");
}
