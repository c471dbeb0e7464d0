<?php
// A client written to the Twitch document (seeds/001): the kraken paths, space-separated scopes, state, and the
// token request built with http_build_query (application/x-www-form-urlencoded).
//   php twitch-client.php authorize-url BASE CLIENT_ID REDIRECT_URI SCOPE STATE
//   php twitch-client.php exchange      BASE CLIENT_ID CLIENT_SECRET REDIRECT_URI CODE
// exchange prints the JSON response on stdout and the request headers curl sent on stderr.

$mode = $argv[1] ?? '';
$base = $argv[2] ?? '';

if ($mode === 'authorize-url') {
    [, , , $clientId, $redirectUri, $scope, $state] = array_pad($argv, 7, '');
    echo $base . '/kraken/oauth2/authorize'
        . '?response_type=code'
        . '&client_id=' . urlencode($clientId)
        . '&redirect_uri=' . urlencode($redirectUri)
        . '&scope=' . urlencode($scope)
        . '&state=' . urlencode($state), "\n";
    exit(0);
}
if ($mode !== 'exchange') {
    fwrite(STDERR, "usage: twitch-client.php authorize-url|exchange ...\n");
    exit(2);
}

[, , , $clientId, $clientSecret, $redirectUri, $authCode] = array_pad($argv, 7, '');

$parameterValues = array(
  'client_id' => $clientId,
  'client_secret' => $clientSecret,
  'grant_type' => 'authorization_code',
  'redirect_uri' => $redirectUri,
  'code' => $authCode
);

$postValues = http_build_query($parameterValues, '', '&');

$ch = curl_init();

curl_setopt_array($ch, array(
  CURLOPT_RETURNTRANSFER => true,
  CURLOPT_URL => $base . '/kraken/oauth2/token',
  CURLOPT_POST => 1,
  CURLOPT_POSTFIELDS => $postValues,
  CURLINFO_HEADER_OUT => true // for the test: which body format curl chose
));

$response = curl_exec($ch);
if ($response === false) {
  fwrite(STDERR, 'curl: ' . curl_error($ch) . "\n");
  exit(1);
}
fwrite(STDERR, curl_getinfo($ch, CURLINFO_HEADER_OUT));
curl_close($ch);

echo $response;
