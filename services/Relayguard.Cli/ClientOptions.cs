using System.Text;
using System.Text.Json;

namespace Relayguard.Cli;

/// <summary>The options and arguments that every API client command shares.</summary>
internal static class ClientOptions
{
    /// <summary>Options every client command accepts: the API address, the token file and JSON output.</summary>
    public static readonly string[] Names = ["ops-url", "token-file", "json"];

    private static readonly string[] Kinds = ["account", "ip"];

    /// <summary>Reads <c>KIND SUBJECT</c> after the action; KIND must be account or ip.</summary>
    public static (string Kind, string Subject) KindAndSubject(CommandLine command, string usage)
    {
        ExpectWords(command, 4, usage, "KIND", "SUBJECT");
        var kind = command.Words[2].ToLowerInvariant();
        if (!Kinds.Contains(kind))
        {
            throw new UsageException($"Invalid kind '{command.Words[2]}': use account or ip.\n{usage}");
        }

        return (kind, command.Words[3]);
    }

    /// <summary>
    /// Fails with the usage text unless the command line has exactly <paramref name="count"/> words, the command and
    /// action included. <paramref name="names"/> name the last words, for the message when they are missing.
    /// </summary>
    public static void ExpectWords(CommandLine command, int count, string usage, params string[] names)
    {
        if (command.Words.Count < count)
        {
            var missing = names.Skip(names.Length - (count - command.Words.Count)).ToList();
            var missingText = missing.Count > 0 && missing.Count == count - command.Words.Count ? string.Join(" and ", missing) : "arguments";
            throw new UsageException($"Missing {missingText}.\n{usage}");
        }

        if (command.Words.Count > count)
        {
            throw new UsageException($"Unexpected argument '{command.Words[count]}'.\n{usage}");
        }
    }

    /// <summary>Builds <c>?name=value&amp;...</c> from the parameters that are set, or an empty string.</summary>
    public static string Query(params (string Name, string? Value)[] parameters)
    {
        var query = new StringBuilder();
        foreach (var (name, value) in parameters.Where(parameter => parameter.Value is not null))
        {
            query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value!));
        }

        return query.ToString();
    }

    /// <summary>
    /// Tells on standard error how to fetch the next page when the API returned a <c>next</c> cursor: the same command
    /// with the same <paramref name="filters"/> options, and <c>--after</c> the cursor.
    /// </summary>
    public static void WriteNextPage(JsonElement page, string commandText, CommandLine command, IEnumerable<string> filters, TextWriter error)
    {
        var next = JsonFields.Text(page, "next");
        if (next.Length == 0)
        {
            return;
        }

        var text = new StringBuilder(commandText);
        foreach (var name in filters)
        {
            if (command.Option(name) is { } value)
            {
                text.Append(" --").Append(name).Append(' ').Append(QuoteIfNeeded(value));
            }
        }

        error.WriteLine($"More entries follow: {text} --after {next}");
    }

    /// <summary>Quotes a value for a POSIX shell when it contains anything but letters, digits and <c>@._:/-</c>.</summary>
    private static string QuoteIfNeeded(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "@._:/-".Contains(c)) ? value : $"'{value.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
