using static Relayguard.Bounces.Tests.TestMessages;

namespace Relayguard.Bounces.Tests;

/// <summary>The evaluator on a small corpus laid out like the real one, written for these tests.</summary>
public sealed class CorpusEvaluatorTests : IDisposable
{
    private const string SisimaiHeader = "sample\tindex\tstatus\treply_code\treason\thard_bounce\tfeedback_type\n";
    private const string FluflHeader = "sample\texpected_addresses\tkind\n";
    private const string BounceParserHeader = "sample\tis_bounce\tstd_reason\tsmtp_code\tstatus\taddresses\n";

    private readonly string corpus = Directory.CreateTempSubdirectory("relayguard-corpus-").FullName;

    public void Dispose() => Directory.Delete(corpus, recursive: true);

    [Fact]
    public void Run_AllTargetsMet()
    {
        WriteCorpus(reportThatFails: false);

        var (exitCode, output) = Run();

        Assert.Equal(0, exitCode);
        Assert.Contains("met    report recall", output, StringComparison.Ordinal);
        Assert.Contains("Misses (0)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_TotalsRow()
    {
        WriteCorpus(reportThatFails: false);

        var (_, output) = Run();
        var total = output.Split('\n').Single(line => line.StartsWith("total", StringComparison.Ordinal));

        Assert.Contains("2/2 100.0%", total, StringComparison.Ordinal);
        Assert.Contains("0/2", total, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissListedAndExitCodeOne()
    {
        WriteCorpus(reportThatFails: true);

        var (exitCode, output) = Run();

        Assert.Equal(1, exitCode);
        Assert.Contains("MISSED report recall", output, StringComparison.Ordinal);
        Assert.Contains("sisimai/lhost-test-02.eml: not reported", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_HardSoftDisagreementListed()
    {
        WriteCorpus(reportThatFails: false);
        File.WriteAllText(Path.Combine(corpus, "sisimai-expected.tsv"), SisimaiHeader + "lhost-test-01.eml\t1\t5.1.1\t550\tfiltered\tfalse\t\n");

        var (_, output) = Run();

        Assert.Contains("lhost-test-01.eml #1: hard expected false, found true", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingDirectoryIsUsageError()
    {
        using var output = new StringWriter();

        var exitCode = CorpusEvaluator.Run(Path.Combine(corpus, "nowhere"), output);

        Assert.Equal(2, exitCode);
        Assert.Contains($"The corpus directory '{Path.Combine(corpus, "nowhere")}' does not exist.", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_DirectoryWithoutCorpus_NamesFolders()
    {
        using var output = new StringWriter();
        var empty = Path.Combine(corpus, "empty");
        Directory.CreateDirectory(empty);

        var exitCode = CorpusEvaluator.Run(empty, output);

        Assert.Equal(2, exitCode);
        Assert.Contains("No corpus found", output.ToString(), StringComparison.Ordinal);
    }

    private void WriteCorpus(bool reportThatFails)
    {
        var sisimai = Directory.CreateDirectory(Path.Combine(corpus, "sisimai")).FullName;
        File.WriteAllText(Path.Combine(sisimai, "lhost-test-01.eml"), Report("Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1"));
        File.WriteAllText(Path.Combine(sisimai, "rfc3834-01.eml"), Plain("From: person@example.org\nSubject: Out of office\nAuto-Submitted: auto-replied", "Away."));
        if (reportThatFails)
        {
            File.WriteAllText(Path.Combine(sisimai, "lhost-test-02.eml"), Plain("From: person@example.org\nSubject: hello", "Nothing to see."));
        }

        File.WriteAllText(Path.Combine(corpus, "sisimai-expected.tsv"), SisimaiHeader + "lhost-test-01.eml\t1\t5.1.1\t550\tuserunknown\ttrue\t\n");

        var flufl = Directory.CreateDirectory(Path.Combine(corpus, "flufl")).FullName;
        File.WriteAllText(Path.Combine(flufl, "qmail_01.txt"), Plain("From: MAILER-DAEMON@mx.example.net\nSubject: failure notice", "<gone@example.net>:\nSorry, no mailbox here by that name. (#5.1.1)"));
        File.WriteAllText(Path.Combine(corpus, "flufl-expected.tsv"), FluflHeader + "qmail_01.txt\tgone@example.net\tP\n");

        var bounceParser = Directory.CreateDirectory(Path.Combine(corpus, "bounceparser")).FullName;
        File.WriteAllText(Path.Combine(bounceParser, "vacation.msg"), Plain("From: person@example.org\nSubject: Automatic reply: hello", "Away."));
        File.WriteAllText(Path.Combine(corpus, "bounceparser-expected.tsv"), BounceParserHeader + "vacation.msg\t0\t\t\t\t\n");
    }

    private (int ExitCode, string Output) Run()
    {
        using var output = new StringWriter();
        var exitCode = CorpusEvaluator.Run(corpus, output);
        return (exitCode, output.ToString());
    }
}
