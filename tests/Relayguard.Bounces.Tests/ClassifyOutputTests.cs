using System.Text.Json;
using static Relayguard.Bounces.Tests.TestMessages;

namespace Relayguard.Bounces.Tests;

public sealed class ClassifyOutputTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("relayguard-classify-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Write_ReportLine()
    {
        var file = WriteFile("report.eml", Report("Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown"));

        using var line = JsonDocument.Parse(Run([file]).Single());
        var root = line.RootElement;
        var recipient = root.GetProperty("recipients")[0];

        Assert.Equal(file, root.GetProperty("file").GetString());
        Assert.Equal("delivery-report", root.GetProperty("kind").GetString());
        Assert.Equal("gone@example.org", recipient.GetProperty("address").GetString());
        Assert.Equal("failed", recipient.GetProperty("action").GetString());
        Assert.Equal("5.1.1", recipient.GetProperty("status").GetString());
        Assert.Equal(550, recipient.GetProperty("replyCode").GetInt32());
        Assert.Equal("user-unknown", recipient.GetProperty("reason").GetString());
        Assert.True(recipient.GetProperty("hard").GetBoolean());
    }

    [Fact]
    public void Write_NullCodesAsNull()
    {
        var file = WriteFile("report.eml", Report("Final-Recipient: rfc822; gone@example.org\nAction: failed"));

        using var line = JsonDocument.Parse(Run([file]).Single());
        var recipient = line.RootElement.GetProperty("recipients")[0];

        Assert.Equal(JsonValueKind.Null, recipient.GetProperty("replyCode").ValueKind);
        Assert.Equal(JsonValueKind.Null, recipient.GetProperty("status").ValueKind);
    }

    [Fact]
    public void Write_NonReportHasNoRecipients()
    {
        var file = WriteFile("ooo.eml", Plain("From: person@example.org\nSubject: Out of office", "Away."));

        using var line = JsonDocument.Parse(Run([file]).Single());

        Assert.Equal("auto-reply", line.RootElement.GetProperty("kind").GetString());
        Assert.False(line.RootElement.TryGetProperty("recipients", out _));
    }

    [Fact]
    public void Write_MissingFileGivesError()
    {
        var missing = Path.Combine(directory, "missing.eml");

        using var line = JsonDocument.Parse(Run([missing]).Single());

        Assert.Equal(missing, line.RootElement.GetProperty("file").GetString());
        Assert.Contains("missing.eml", line.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_DirectoryGivesError()
    {
        using var line = JsonDocument.Parse(Run([directory]).Single());

        Assert.Contains("is a directory", line.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OneLinePerFileInOrder()
    {
        var first = WriteFile("a.eml", Plain("From: person@example.org\nSubject: hi", "hello"));
        var second = WriteFile("b.eml", Plain("From: MAILER-DAEMON@mx.example.net\nSubject: failure notice", "<gone@example.org>:\nUser unknown"));

        var lines = Run([first, Path.Combine(directory, "missing.eml"), second]);

        Assert.Equal(3, lines.Count);
        Assert.Contains("\"ordinary\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"error\"", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"delivery-report\"", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Write_FileArgumentExactlyAsGiven()
    {
        WriteFile("relative.eml", Plain("From: person@example.org\nSubject: hi", "hello"));
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(directory, "relative.eml"));

        using var line = JsonDocument.Parse(Run([relative]).Single());

        Assert.Equal(relative, line.RootElement.GetProperty("file").GetString());
    }

    [Fact]
    public void Write_DashReadsStandardInput()
    {
        var file = WriteFile("b.eml", Plain("From: MAILER-DAEMON@mx.example.net\nSubject: failure notice", "<gone@example.org>:\nUser unknown"));
        using var standardInput = new MemoryStream(File.ReadAllBytes(file));
        using var output = new StringWriter();

        var errors = ClassifyOutput.Write(["-", "-"], output, standardInput);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1, errors);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("-", first.RootElement.GetProperty("file").GetString());
        Assert.Equal("delivery-report", first.RootElement.GetProperty("kind").GetString());
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Contains("Standard input is empty", second.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content.ReplaceLineEndings("\r\n"));
        return path;
    }

    private static List<string> Run(IEnumerable<string> files)
    {
        using var output = new StringWriter();
        ClassifyOutput.Write(files, output);
        return output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
