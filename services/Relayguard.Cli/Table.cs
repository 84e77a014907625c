using System.Text;

namespace Relayguard.Cli;

/// <summary>
/// Renders rows as a plain text table with aligned columns. Each cell goes through <see cref="TerminalText.Escape"/>,
/// so a line break or escape sequence in a value cannot split its row or reach the terminal.
/// </summary>
public static class Table
{
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows.Select(row => row.Select(TerminalText.Escape).ToList()));
        var widths = headers.Select((_, i) => all.Max(r => i < r.Count ? r[i].Length : 0)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            for (var i = 0; i < headers.Count; i++)
            {
                var cell = i < row.Count ? row[i] : string.Empty;
                text.Append(i == headers.Count - 1 ? cell : cell.PadRight(widths[i] + 2));
            }

            text.Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }
}
