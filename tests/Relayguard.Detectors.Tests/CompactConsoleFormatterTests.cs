using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

/// <summary>The console's one-line log entries: broker and storage failures without their stack traces, every other exception with its stack.</summary>
public sealed class CompactConsoleFormatterTests
{
    [Fact]
    public void BrokerFailure_NoStackTrace()
    {
        var broker = new RabbitMQ.Client.Exceptions.BrokerUnreachableException(new IOException("Connection refused"));

        var line = Write("MassTransit", LogLevel.Warning, "Connection Failed: rabbitmq://127.0.0.1:5672/", Thrown(broker));

        Assert.StartsWith("warn: MassTransit[0] Connection Failed: rabbitmq://127.0.0.1:5672/ InvalidOperationException: Broker unreachable ---> BrokerUnreachableException: ", line, StringComparison.Ordinal);
        Assert.Contains("IOException: Connection refused", line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", line, StringComparison.Ordinal);
        Assert.Single(line.TrimEnd().Split('\n'));
    }

    [Fact]
    public void StorageFull_NoStackTrace()
    {
        var full = new Microsoft.Data.Sqlite.SqliteException("SQLite Error 13: 'database or disk is full'.", 13);

        var line = Write("Relayguard.Gateway.Session.RelayRecordWriter", LogLevel.Error, "Message 01ABC went upstream, but writing the submission event failed", Thrown(full));

        Assert.Contains("SqliteException: SQLite Error 13: 'database or disk is full'.", line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsumerFault_KeepsStackTrace()
    {
        var line = Write("MassTransit.ReceiveTransport", LogLevel.Error, "R-FAULT", Thrown(new IOException("disk I/O error")));

        Assert.Contains(" at ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageWithLineBreaks_OneLine()
    {
        var line = Write("Relayguard.Gateway.Smtp", LogLevel.Information, "reply 550\rsecond\u2028third\u0085fourth", Thrown(new IOException("x")));

        Assert.Single(line.TrimEnd().Split('\n'));
        Assert.DoesNotContain('\r', line.TrimEnd());
        Assert.DoesNotContain('\u2028', line);
    }

    [Fact]
    public void OtherException_KeepsStackTrace()
    {
        var line = Write("Relayguard.Gateway.Smtp", LogLevel.Error, "Session failed", Thrown(new IOException("Connection reset")));

        Assert.StartsWith("fail: Relayguard.Gateway.Smtp[0] Session failed System.InvalidOperationException: Broker unreachable", line, StringComparison.Ordinal);
        Assert.Contains(" at ", line, StringComparison.Ordinal);
        Assert.Single(line.TrimEnd().Split('\n'));
    }

    /// <summary>Formats one entry without a timestamp.</summary>
    private static string Write(string category, LogLevel level, string message, Exception exception)
    {
        using var formatter = new CompactConsoleFormatter(new StaticOptions(new SimpleConsoleFormatterOptions { SingleLine = true, TimestampFormat = null }));
        using var writer = new StringWriter();
        var entry = new LogEntry<string>(level, category, new EventId(0), message, exception, (state, _) => state);
        formatter.Write(entry, null, writer);
        return writer.ToString();
    }

    /// <summary>An exception with a stack trace, wrapping <paramref name="inner"/>.</summary>
    private static Exception Thrown(Exception inner)
    {
        try
        {
            throw new InvalidOperationException("Broker unreachable", inner);
        }
        catch (InvalidOperationException exception)
        {
            return exception;
        }
    }

    private sealed class StaticOptions(SimpleConsoleFormatterOptions value) : IOptionsMonitor<SimpleConsoleFormatterOptions>
    {
        public SimpleConsoleFormatterOptions CurrentValue => value;

        public SimpleConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<SimpleConsoleFormatterOptions, string?> listener) => null;
    }
}
