using Serverless.Local.Gateway;

namespace Serverless.Local.Tests.Gateway;

public sealed class HttpApiRouteTests
{
    private static HttpApiRoute Route(string method, string path) => new(method, path, "Fn", null, []);

    [Theory]
    [InlineData("GET", "/me", "GET", "/me", true)]
    [InlineData("GET", "/me", "get", "/me", true)]
    [InlineData("GET", "/me", "POST", "/me", false)]
    [InlineData("ANY", "/me", "DELETE", "/me", true)]
    [InlineData("GET", "/me", "GET", "/me/more", false)]
    [InlineData("GET", "/uploads/{id}", "GET", "/uploads/abc", true)]
    [InlineData("GET", "/uploads/{id}", "GET", "/uploads", false)]
    [InlineData("GET", "/uploads/{id}", "GET", "/uploads/a/b", false)]
    [InlineData("GET", "/files/{proxy+}", "GET", "/files/a/b/c", true)]
    [InlineData("GET", "/files/{proxy+}", "GET", "/files", false)]
    public void Matches_as_API_Gateway_matches(string routeMethod, string routePath, string method, string path, bool matches) =>
        Assert.Equal(matches, Route(routeMethod, routePath).TryMatch(method, path, out _));

    [Fact]
    public void Path_parameters_take_the_decoded_segments_and_greedy_ones_the_rest()
    {
        Route("GET", "/uploads/{id}/results").TryMatch("GET", "/uploads/a b/results", out var single);
        Route("GET", "/files/{proxy+}").TryMatch("GET", "/files/a/b c", out var greedy);

        Assert.Equal("a b", single["id"]);
        Assert.Equal("a/b c", greedy["proxy"]);
    }

    [Fact]
    public void A_literal_route_is_more_specific_than_a_parameter_and_a_named_method_than_ANY()
    {
        Assert.True(Route("GET", "/uploads/latest").Specificity.CompareTo(Route("GET", "/uploads/{id}").Specificity) > 0);
        Assert.True(Route("GET", "/uploads/{id}").Specificity.CompareTo(Route("ANY", "/uploads/{id}").Specificity) > 0);
        Assert.True(Route("GET", "/{id}").Specificity.CompareTo(Route("GET", "/{proxy+}").Specificity) > 0);
    }
}
