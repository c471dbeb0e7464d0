<?php
// A client written to the redCORE document (seeds/000): one URL for both steps, the secret in the authorization
// URL, and the token request posted by curl with an array (multipart/form-data).
//   php redcore-client.php authorize-url BASE CLIENT_ID CLIENT_SECRET REDIRECT_URI RESPONSE_TYPE
//   php redcore-client.php exchange      BASE CLIENT_ID CLIENT_SECRET REDIRECT_URI CODE
// exchange prints the JSON response on stdout and the request headers curl sent on stderr.

[$script, $mode, $site, $your_client_id, $your_client_secret, $your_redirect_url, $last] = array_pad($argv, 7, null);

if ($mode === 'authorize-url') {
    echo $site . '/index.php?option=token&api=oauth2'
        . '&client_id=' . urlencode($your_client_id)
        . '&client_secret=' . urlencode($your_client_secret)
        . '&redirect_uri=' . urlencode($your_redirect_url)
        . '&response_type=' . urlencode($last), "\n";
    exit(0);
}
if ($mode !== 'exchange') {
    fwrite(STDERR, "usage: redcore-client.php authorize-url|exchange ...\n");
    exit(2);
}

// The code from the previous authorization request
$code = $last;
$curl = curl_init($site . "/index.php?option=token&api=oauth2");
curl_setopt($curl, CURLOPT_POST, true);
curl_setopt($curl, CURLOPT_POSTFIELDS, array(
    'client_id' => $your_client_id,
    'client_secret' => $your_client_secret,
    'redirect_uri' => $your_redirect_url,
    'code' => $code,
    'grant_type' => 'authorization_code'
));
curl_setopt($curl, CURLOPT_RETURNTRANSFER, 1);
curl_setopt($curl, CURLINFO_HEADER_OUT, true); // for the test: which body format curl chose
$myAuth = curl_exec($curl);
if ($myAuth === false) {
    fwrite(STDERR, 'curl: ' . curl_error($curl) . "\n");
    exit(1);
}
fwrite(STDERR, curl_getinfo($curl, CURLINFO_HEADER_OUT));
$accessToken = json_decode($myAuth);
// The document reads $accessToken->access_token; print what it parsed.
echo json_encode($accessToken), "\n";
