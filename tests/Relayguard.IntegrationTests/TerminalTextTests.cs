using System.Text.Json;
using Relayguard.Cli;

namespace Relayguard.IntegrationTests;

/// <summary>Unit tests of <see cref="TerminalText"/> and of <see cref="Table"/>, which escapes every cell with it.</summary>
public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("\u001b[2J", @"\x1b[2J")]
    [InlineData("\u001b]0;title\u0007", @"\x1b]0;title\x07")]
    [InlineData("one\r\ntwo", @"one\r\ntwo")]
    [InlineData("a\tb", @"a\tb")]
    [InlineData("\0", @"\x00")]
    [InlineData("\u001f", @"\x1f")]
    [InlineData("del\u007f", @"del\x7f")]
    [InlineData("\u0080", @"\u0080")]
    [InlineData("csi\u009b2J", @"csi\u009b2J")]
    [InlineData("next\u0085line", @"next\u0085line")]
    [InlineData("\u009f", @"\u009f")]
    [InlineData("a\u2028b", @"a\u2028b")]
    [InlineData("\u202egnp.exe", @"\u202egnp.exe")]
    [InlineData("x\u2066y\u2069", @"x\u2066y\u2069")]
    public void Escape_ControlCharacter_Visible(string text, string expected)
    {
        Assert.Equal(expected, TerminalText.Escape(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("user unknown")]
    [InlineData("Müller, déjà vu, ½ ÿ")]
    [InlineData("苦情 メール 우편")]
    [InlineData("mail 📧 \u00a0 \u200d")]
    [InlineData(@"C:\path\x1b already escaped")]
    public void Escape_OrdinaryText_Unchanged(string text)
    {
        Assert.Equal(text, TerminalText.Escape(text));
    }

    [Fact]
    public void Escape_Twice_SameAsOnce()
    {
        var once = TerminalText.Escape("a\u001b[2J\r\n\u009b");

        Assert.Equal(once, TerminalText.Escape(once));
    }

    [Fact]
    public void Escape_Result_HasNoControlCharacter()
    {
        var all = new string([.. Enumerable.Range(0, 0x100).Select(code => (char)code)]);

        var escaped = TerminalText.Escape(all);

        Assert.DoesNotContain(escaped, char.IsControl);
        Assert.EndsWith(new string([.. Enumerable.Range(0xA0, 0x60).Select(code => (char)code)]), escaped, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_C1AndDel_EscapedAsJson()
    {
        using var document = JsonDocument.Parse("{\"detail\": \"csi\u009b2J del\u007f é 苦\",\n \"n\": 1}");

        var json = TerminalText.Json(document.RootElement);

        Assert.DoesNotContain('\u009b', json);
        Assert.DoesNotContain('\u007f', json);
        Assert.Contains(@"csi\u009b2J del\u007f é 苦", json, StringComparison.Ordinal);
        using var reparsed = JsonDocument.Parse(json);
        Assert.Equal("csi\u009b2J del\u007f é 苦", reparsed.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public void Json_PlainText_Unchanged()
    {
        const string Text = "{\"reason\":\"abuse \\u001b report\",\"n\":[1,2]}";
        using var document = JsonDocument.Parse(Text);

        Assert.Equal(Text, TerminalText.Json(document.RootElement));
    }

    [Fact]
    public void Table_LineBreakInCell_OneRow()
    {
        var table = Table.Render(["KIND", "REASON"], [["account", "first\r\nCA1  forged"], ["ip", "tab\there"]]);

        var lines = table.Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal(@"account  first\r\nCA1  forged", lines[1]);
        Assert.Equal(@"ip       tab\there", lines[2]);
    }

    [Fact]
    public void Table_EscapedCell_AlignsByEscapedWidth()
    {
        var table = Table.Render(["A", "B"], [["\u001b[2J", "x"], ["y", "z"]]);

        var lines = table.Split('\n');
        Assert.Equal(@"\x1b[2J  x", lines[1]);
        Assert.Equal(lines[1].LastIndexOf('x'), lines[2].IndexOf('z', StringComparison.Ordinal));
    }
}
