using System.Globalization;

namespace Relayguard.Bounces;

/// <summary>Counts agreement with the corpus's expected results for one folder and records each miss.</summary>
internal sealed class CorpusTally(string folder)
{
    private readonly List<string> misses = [];
    private readonly List<string> reasonDifferences = [];

    public string Folder { get; } = folder;

    public int Messages { get; private set; }

    public int Reports { get; private set; }

    public int ReportsFound { get; private set; }

    public int NonReports { get; private set; }

    public int FalseReports { get; private set; }

    public int AddressesChecked { get; private set; }

    public int AddressesCorrect { get; private set; }

    public int HardChecked { get; private set; }

    public int HardAgreed { get; private set; }

    public int ReasonsChecked { get; private set; }

    public int ReasonsAgreed { get; private set; }

    public int PermanenceChecked { get; private set; }

    public int PermanenceAgreed { get; private set; }

    public IReadOnlyList<string> Misses => misses;

    public IReadOnlyList<string> ReasonDifferences => reasonDifferences;

    /// <summary>Adds the counts of other tallies, for the total row. Their misses stay with them.</summary>
    public void AddCounts(IEnumerable<CorpusTally> others)
    {
        foreach (var other in others)
        {
            Messages += other.Messages;
            Reports += other.Reports;
            ReportsFound += other.ReportsFound;
            NonReports += other.NonReports;
            FalseReports += other.FalseReports;
            AddressesChecked += other.AddressesChecked;
            AddressesCorrect += other.AddressesCorrect;
            HardChecked += other.HardChecked;
            HardAgreed += other.HardAgreed;
            ReasonsChecked += other.ReasonsChecked;
            ReasonsAgreed += other.ReasonsAgreed;
            PermanenceChecked += other.PermanenceChecked;
            PermanenceAgreed += other.PermanenceAgreed;
        }
    }

    public void Add(string file, CorpusExpectation expected, Classification actual)
    {
        Messages++;
        var label = Folder + "/" + file;
        var reported = actual.Kind == MessageKind.DeliveryReport;

        if (!expected.IsReport)
        {
            NonReports++;
            if (reported)
            {
                FalseReports++;
                misses.Add($"{label}: false report ({actual.Why})");
            }

            return;
        }

        Reports++;
        if (reported)
        {
            ReportsFound++;
        }
        else
        {
            misses.Add($"{label}: not reported, read as {ClassifyOutput.KindName(actual.Kind)} ({actual.Why})");
        }

        CompareAddresses(label, expected, actual.Recipients);
        CompareSisimaiRows(label, expected, actual.Recipients);
        CompareFirstReason(label, expected, actual.Recipients);
        ComparePermanence(expected, actual.Recipients);
    }

    private void CompareAddresses(string label, CorpusExpectation expected, IReadOnlyList<FailedRecipient> recipients)
    {
        if (expected.Addresses is null)
        {
            return;
        }

        AddressesChecked++;
        bool Expected(FailedRecipient r) => expected.Addresses.Contains(r.Address) || (r.OriginalAddress is not null && expected.Addresses.Contains(r.OriginalAddress));
        var allExpected = recipients.All(Expected);
        var allFound = expected.Addresses.All(a => recipients.Any(r => Same(r.Address, a) || (r.OriginalAddress is not null && Same(r.OriginalAddress, a))));
        if (allExpected && allFound)
        {
            AddressesCorrect++;
            return;
        }

        var found = string.Join(", ", recipients.Select(r => r.Address));
        misses.Add($"{label}: addresses expected [{string.Join(", ", expected.Addresses.Order())}], found [{found}]");
    }

    private void CompareSisimaiRows(string label, CorpusExpectation expected, IReadOnlyList<FailedRecipient> recipients)
    {
        foreach (var row in expected.SisimaiRows)
        {
            var recipient = row.Index >= 1 && row.Index <= recipients.Count ? recipients[row.Index - 1] : null;
            HardChecked++;
            if (recipient is not null && recipient.AddressInvalid == row.HardBounce)
            {
                HardAgreed++;
            }
            else
            {
                misses.Add($"{label} #{row.Index}: hard expected {Bool(row.HardBounce)}, found {Describe(recipient)} (sisimai: {row.Reason})");
            }

            if (CorpusAnswers.MapSisimaiReason(row.Reason) is { } reason)
            {
                CountReason(label + " #" + row.Index, reason, recipient, row.Reason);
            }
        }
    }

    private void CompareFirstReason(string label, CorpusExpectation expected, IReadOnlyList<FailedRecipient> recipients)
    {
        if (expected.FirstReason is { } reason)
        {
            CountReason(label, reason, recipients.FirstOrDefault(r => r.Reason == reason) ?? recipients.FirstOrDefault(), null);
        }
    }

    private void CountReason(string label, BounceReason expected, FailedRecipient? recipient, string? sourceReason)
    {
        ReasonsChecked++;
        if (recipient?.Reason == expected)
        {
            ReasonsAgreed++;
            return;
        }

        var source = sourceReason is null ? string.Empty : $" (sisimai: {sourceReason})";
        reasonDifferences.Add($"{label}: reason expected {ReasonNames.ToWire(expected)}{source}, found {Describe(recipient)}");
    }

    private void ComparePermanence(CorpusExpectation expected, IReadOnlyList<FailedRecipient> recipients)
    {
        if (expected.FluflPermanent is not { } permanent)
        {
            return;
        }

        PermanenceChecked++;
        if (recipients.Count > 0 && recipients.All(r => r.Permanent == permanent))
        {
            PermanenceAgreed++;
        }
    }

    private static string Describe(FailedRecipient? recipient) => recipient is null
        ? "no recipient"
        : string.Create(CultureInfo.InvariantCulture, $"{Bool(recipient.AddressInvalid)} {ReasonNames.ToWire(recipient.Reason)} {recipient.ReplyCode} {recipient.Status} \"{Shorten(recipient.Diagnostic)}\"");

    private static string Shorten(string? text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        return text.Length > 90 ? text[..90] + "..." : text;
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
