using System.Text.RegularExpressions;
using Serverless.Local.Telemetry;

namespace Serverless.Local.Tests.Telemetry;

/// <summary>The X-Ray trace header the local Lambda service gives each invocation, as Lambda writes it.</summary>
public sealed partial class XRayTraceHeaderTests
{
    [GeneratedRegex("^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$")]
    private static partial Regex LambdaHeader();

    [Fact]
    public void A_new_trace_has_the_epoch_seconds_in_its_root_and_the_function_gets_a_parent()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(0x5759e988);
        var header = XRayTraceHeader.New(now).ForInvocation();

        Assert.Matches(LambdaHeader(), header.ToString());
        Assert.StartsWith("Root=1-5759e988-", header.ToString(), StringComparison.Ordinal);
        Assert.Equal(32, header.TraceId.Length);
        Assert.StartsWith("5759e988", header.TraceId, StringComparison.Ordinal);
    }

    [Fact]
    public void A_callers_header_keeps_its_root_and_sampling_and_the_invocation_becomes_the_parent()
    {
        var caller = XRayTraceHeader.Parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a:1")!;
        var invocation = caller.ForInvocation();

        Assert.Equal("1-5759e988-bd862e3fe1be46a994272793", invocation.Root);
        Assert.Equal("53995c3f42cd8ad8", caller.Parent);
        Assert.NotEqual(caller.Parent, invocation.Parent);
        Assert.False(invocation.Sampled);
        Assert.Equal("5759e988bd862e3fe1be46a994272793", invocation.TraceId);
        Assert.Equal($"Root=1-5759e988-bd862e3fe1be46a994272793;Parent={invocation.Parent};Sampled=0", invocation.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Parent=53995c3f42cd8ad8;Sampled=1")]
    [InlineData("Root=1-5759e988-bd862e3f")]
    [InlineData("Root=2-5759e988-bd862e3fe1be46a994272793")]
    [InlineData("Root=1-5759e98z-bd862e3fe1be46a994272793")]
    public void A_header_without_a_valid_root_is_none(string? header) => Assert.Null(XRayTraceHeader.Parse(header));

    [Fact]
    public void A_header_without_a_parent_or_sampling_is_sampled_and_parentless()
    {
        var header = XRayTraceHeader.Parse("Root=1-5759E988-BD862E3FE1BE46A994272793")!;

        Assert.Null(header.Parent);
        Assert.True(header.Sampled);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", header.ToString());
    }
}
