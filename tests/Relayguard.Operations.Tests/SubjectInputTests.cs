using System.Net;

namespace Relayguard.Operations.Tests;

/// <summary>A missing subject: the error gives examples of the kind the request named only.</summary>
public sealed class SubjectInputTests
{
    [Theory]
    [InlineData("/api/audit?kind=account&subject=%20", "Missing subject: use an account such as alice.")]
    [InlineData("/api/audit?kind=ip&subject=%20", "Missing subject: use an address such as 203.0.113.5 or a prefix such as 2001:db8::/64.")]
    public async Task MissingSubject_ExampleOfItsKind(string path, string expected)
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Reader.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await OperationsHost.ReadJsonAsync(response);
        Assert.Equal(expected, problem.GetProperty("errors").GetProperty("subject")[0].GetString());
    }
}
