<?php
sleep(2);
echo "slow php-fpm\n";
