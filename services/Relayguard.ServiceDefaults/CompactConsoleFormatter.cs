using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// One line per log entry, in the layout of .NET's simple console formatter with <c>SingleLine</c> (timestamp, level,
/// category, event id, message, exception). A broker failure is written as its exceptions' types and messages only.
/// MassTransit logs each failed connection attempt with the stack of every inner exception, up to 11 KB a line, and
/// during a broker outage those lines buried every other line. Every other exception keeps its stack trace.
/// </summary>
public sealed class CompactConsoleFormatter : ConsoleFormatter, IDisposable
{
    public const string FormatterName = "relayguard";

    private readonly IDisposable? _reload;
    private SimpleConsoleFormatterOptions _options;

    public CompactConsoleFormatter(IOptionsMonitor<SimpleConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.CurrentValue;
        _reload = options.OnChange(changed => _options = changed);
    }

    public void Dispose() => _reload?.Dispose();

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var options = _options;
        if (options.TimestampFormat is { } format)
        {
            var now = options.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            textWriter.Write(now.ToString(format, CultureInfo.InvariantCulture));
        }

        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture));
        textWriter.Write(']');
        if (!string.IsNullOrEmpty(message))
        {
            textWriter.Write(' ');
            textWriter.Write(OneLine(message));
        }

        if (logEntry.Exception is { } exception)
        {
            textWriter.Write(' ');
            textWriter.Write(OneLine(IsBrokerFailure(exception) || IsStorageFailure(exception) ? Summary(exception) : exception.ToString()));
        }

        textWriter.Write(Environment.NewLine);
    }

    /// <summary>Returns the types and messages of an exception and its inner exceptions, without stack traces.</summary>
    public static string Summary(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var parts = new List<string>();
        for (Exception? current = exception; current is not null && parts.Count < 5; current = current.InnerException)
        {
            parts.Add($"{current.GetType().Name}: {current.Message}");
        }

        return string.Join(" ---> ", parts);
    }

    /// <summary>
    /// A failure of the broker connection: an exception of RabbitMQ's client, or MassTransit's connection exception, in
    /// the chain. A fault in a consumer, which MassTransit also logs, keeps its stack trace.
    /// </summary>
    private static bool IsBrokerFailure(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            var type = current.GetType();
            if (type.Namespace?.StartsWith("RabbitMQ.Client", StringComparison.Ordinal) == true || type.Name == "RabbitMqConnectionException")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A failure of the SQLite file itself: full (13), read-only (8), an I/O error (10), busy past the timeout (5) or not
    /// openable (14). The message names the cause, and the stack, repeated for each message during a full disk, does not.
    /// </summary>
    private static bool IsStorageFailure(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 8 or 10 or 13 or 14 })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Replaces every line break and other control character with a space, so an entry stays one line whatever text it carries.</summary>
    private static string OneLine(string text)
    {
        if (!text.Any(IsBreak))
        {
            return text;
        }

        return string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = IsBreak(source[i]) ? ' ' : source[i];
            }
        });
    }

    private static bool IsBreak(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString(),
    };
}
